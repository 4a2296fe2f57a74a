"""A tiny Al-Ni active-learning setup labelled by EMT: 4-atom cells, 2-member ensembles of
one-layer networks, a few MD snapshots per iteration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

SF_LINES = [
    *(f"{c} 2 {n} {eta} 0.0 5.0" for c in ("Al", "Ni") for n in ("Al", "Ni") for eta in (0.1, 0.5)),
    *(
        f"{c} 3 {a} {b} 0.05 {lam} 2.0 5.0"
        for c in ("Al", "Ni")
        for a, b in (("Al", "Al"), ("Al", "Ni"), ("Ni", "Ni"))
        for lam in (-1, 1)
    ),
]


def starting_structures():
    """fcc Al, fcc Ni and L1_2 Ni3Al, conventional 4-atom cells."""
    ni3al = bulk("Ni", "fcc", a=3.57, cubic=True)
    ni3al.symbols[0] = "Al"
    return [bulk("Al", "fcc", a=4.05, cubic=True), bulk("Ni", "fcc", a=3.52, cubic=True), ni3al]


def holdout_frames(n: int = 6, seed: int = 7):
    """Rattled, strained Ni3Al cells with EMT labels."""
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(n):
        atoms = starting_structures()[2]
        atoms.set_cell(atoms.cell * (1 + 0.02 * rng.standard_normal()), scale_atoms=True)
        atoms.positions += rng.normal(scale=0.1, size=atoms.positions.shape)
        atoms.calc = EMT()
        atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
        frames.append(atoms)
    return frames


def write_setup(
    directory: Path,
    oracle: str = "{calculator: emt}",
    executor: str = "",
    iterations: int = 2,
    extra: str = "",
) -> Path:
    """start.xyz, holdout.xyz and config.yaml in directory; returns the config path."""
    write(directory / "start.xyz", starting_structures(), format="extxyz")
    write(directory / "holdout.xyz", holdout_frames(), format="extxyz")
    lines = "\n".join(f"    - {line}" for line in SF_LINES)
    config = directory / "config.yaml"
    config.write_text(f"""
output: run
start: {{structures: [start.xyz], rattle_copies: 2, rattle_stdev: 0.08}}
holdout: [holdout.xyz]
oracle: {oracle}
executor: {executor or "{kind: process, workers: 2}"}
ensemble: {{members: 2}}
explore:
  temperatures: [900]
  steps: 20
  timestep: 2.0
  interval: 5
  normal_modes: {{samples: 2}}
select: {{lower: 0.02, upper: 20.0, max_per_iteration: 6}}
iterations: {iterations}
validation: 0.1
descriptors:
  cutoff: 5.0
  symmetry_functions:
{lines}
model: {{hidden: [4], activation: tanh}}  # bounded: no MD run reaches select.upper
training:
  epochs: 4
  batch_size: 4
  loss: {{energy: 1.0, forces: 0.1}}
  early_stopping: null
{extra}""")
    return config


DASK = "{kind: dask, workers: 2, processes: false}"


def counting_oracle(log: Path, fail_formula: str | None = None) -> str:
    """The oracle setting for active_oracles.counting_emt logging to `log`."""
    fail = f", fail_formula: {fail_formula}" if fail_formula else ""
    return f"{{factory: 'active_oracles:counting_emt', kwargs: {{log: '{log}'{fail}}}}}"
