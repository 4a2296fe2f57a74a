"""Exploration with the teacher: active learning's samplers (MD over compositions, strains,
temperatures and pressures; normal modes), driven by any ASE calculator.

Every MD run and every structure's normal-mode samples are written to their own file under
explore/ as they finish (atomically), so a killed exploration resumes at the first missing
file. Each run draws its random numbers from (explore.seed, its index): a resumed exploration
is the one that would have run without the kill.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.active.explore import (
    md_snapshots,
    mode_snapshots,
    no_uncertainty,
    too_close,
    variants,
)
from mlpot.active.state import read_structures, write_structures
from mlpot.distill.config import DistillExploreConfig


@dataclass(frozen=True)
class ExploreFiles:
    """explore/md_NNNN.xyz per MD run, explore/modes_NNNN.xyz per starting structure, and the
    normal modes' finite-difference caches in explore/hessian_NNNN/."""

    root: Path

    def md(self, index: int) -> Path:
        return self.root / f"md_{index:04d}.xyz"

    def modes(self, index: int) -> Path:
        return self.root / f"modes_{index:04d}.xyz"

    def hessian(self, index: int) -> Path:
        return self.root / f"hessian_{index:04d}"

    def explored(self) -> list[Atoms]:
        """Every structure written so far, MD runs first, in index order."""
        paths = sorted(self.root.glob("md_*.xyz")) + sorted(self.root.glob("modes_*.xyz"))
        return [atoms for path in paths for atoms in read_structures(path)]


def explore_with_teacher(
    starts: list[Atoms],
    teacher,
    cfg: DistillExploreConfig,
    files: ExploreFiles,
    *,
    shortest: float,
    progress: bool = False,
) -> list[Atoms]:
    """MD snapshots and normal-mode samples of `starts` with the teacher (an ASE calculator);
    runs whose file exists are not run again. MD runs end at two atoms closer than
    `shortest` Å. Returns every explored structure (origin in info)."""
    from tqdm.auto import tqdm

    files.root.mkdir(parents=True, exist_ok=True)
    grid = md_grid(starts, cfg)
    for index, (variant, temperature, pressure) in enumerate(
        tqdm(grid, desc="explore (MD)", disable=not progress)
    ):
        if files.md(index).is_file():
            continue
        seed = int(np.random.default_rng([cfg.seed, index]).integers(1 << 31))
        found = md_snapshots(variant, teacher, cfg, temperature, pressure, seed, _never,
                             shortest, measure=no_uncertainty)
        write_structures(files.md(index), found)
    if cfg.normal_modes.samples:
        for index, atoms in enumerate(tqdm(starts, desc="explore (modes)", disable=not progress)):
            if not files.modes(index).is_file():
                write_structures(files.modes(index), _modes(atoms, teacher, cfg, files, index,
                                                            shortest))
    return files.explored()


def md_grid(starts: list[Atoms], cfg: DistillExploreConfig) -> list[tuple]:
    """(variant, temperature K, pressure GPa or None) of every MD run, in a fixed order (the
    substitutions draw from explore.seed)."""
    rng = np.random.default_rng(cfg.seed)
    return [
        (variant, temperature, pressure)
        for variant in variants(starts, cfg, rng)
        for temperature in cfg.temperatures
        for pressure in (cfg.pressures or [None])
    ]


def _never(values: dict[str, float]) -> bool:
    """No run is stopped for its uncertainty: the teacher has none."""
    return False


def _modes(
    atoms: Atoms, teacher, cfg: DistillExploreConfig, files: ExploreFiles, index: int,
    shortest: float,
) -> list[Atoms]:
    rng = np.random.default_rng([cfg.seed, 1 << 20, index])
    samples = mode_snapshots(atoms, teacher, cfg, rng, files.hessian(index), f"s{index}",
                             measure=no_uncertainty)
    for sample in samples:
        if too_close(sample, shortest):
            sample.info["too_close"] = True
    return samples
