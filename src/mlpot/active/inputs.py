"""The loop's inputs: starting structures, the initial set and the held-out frames."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from mlpot.active.config import StartConfig
from mlpot.config.sections import FileSpec
from mlpot.data import Frame, read_frames
from mlpot.data.ase_files import read_ase
from mlpot.data.errors import DataError
from mlpot.data.patterns import match_files
from mlpot.data.selection import parse_selection


def read_structures_of(specs: list[FileSpec]) -> list[Atoms]:
    """Unlabelled structures from "path [selection]" entries (globs allowed), in file order."""
    images = []
    for spec in specs:
        for path in match_files(str(spec.path)):
            for frame in read_ase(path, parse_selection(spec.selection)):
                atoms = frame.to_atoms(with_labels=False)
                atoms.info = {"origin": frame.source}
                images.append(atoms)
    return images


def initial_set(structures: list[Atoms], cfg: StartConfig) -> list[Atoms]:
    """The structures and cfg.rattle_copies rattled copies of each (Gaussian, rattle_stdev Å)."""
    rng = np.random.default_rng(cfg.seed)
    out = []
    for atoms in structures:
        out.append(atoms.copy())
        for copy in range(cfg.rattle_copies):
            rattled = atoms.copy()
            rattled.positions += rng.normal(scale=cfg.rattle_stdev, size=rattled.positions.shape)
            rattled.info["origin"] = f"{atoms.info.get('origin', '')} rattled #{copy}"
            out.append(rattled)
    return out


def read_holdout(specs: list[FileSpec]) -> list[Frame]:
    """Labelled held-out frames (energy and forces required), group "holdout"."""
    frames: list[Frame] = []
    for spec in specs:
        frames += read_frames(spec.entry, group="holdout")
    return frames


def model_elements(cfg, structures: list[Atoms]) -> list[str]:
    """cfg.elements, or every element of the structures and of cfg.explore.substitutions (by
    atomic number); cfg: an ActiveConfig or a DistillConfig."""
    if cfg.elements is not None:
        return list(cfg.elements)
    found = {symbol for atoms in structures for symbol in atoms.get_chemical_symbols()}
    found |= {rule.by for rule in cfg.explore.substitutions}
    return sorted(found, key=lambda symbol: atomic_numbers[symbol])


def check_structures(structures: list[Atoms], elements: list[str]) -> None:
    for atoms in structures:
        extra = set(atoms.get_chemical_symbols()) - set(elements)
        if extra:
            raise DataError(
                f"{atoms.info.get('origin', 'a starting structure')}: element(s) "
                f"{', '.join(sorted(extra))} not in elements ({', '.join(elements)}); "
                "add them to 'elements' in the configuration"
            )
