"""A tiny Al-Cu distillation with EMT as the teacher: 4-atom cells, a few MD snapshots, one
small network trained for a few epochs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write


def starting_structures():
    """fcc Al, fcc Cu and an AlCu fcc cell (conventional 4-atom cells)."""
    alcu = bulk("Cu", "fcc", a=3.8, cubic=True)
    alcu.symbols[[0, 1]] = "Al"
    return [bulk("Al", "fcc", a=4.05, cubic=True), bulk("Cu", "fcc", a=3.6, cubic=True), alcu]


def dft_frames(n: int = 6, seed: int = 3):
    """Rattled 8-atom cells with EMT labels shifted by a constant per atom of each element
    (+0.3 eV per Al, -0.2 eV per Cu): "DFT" whose energy zero differs from the teacher's."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n):
        atoms = starting_structures()[k % 3].repeat((2, 1, 1))
        atoms.positions += rng.normal(scale=0.08, size=atoms.positions.shape)
        atoms.calc = EMT()
        energy = atoms.get_potential_energy()
        forces, stress = atoms.get_forces(), atoms.get_stress()
        shift = 0.3 * (atoms.numbers == 13).sum() - 0.2 * (atoms.numbers == 29).sum()
        from ase.calculators.singlepoint import SinglePointCalculator

        atoms.calc = SinglePointCalculator(atoms, energy=energy + shift, forces=forces,
                                           stress=stress)
        frames.append(atoms)
    return frames


def write_setup(
    directory: Path,
    teacher: str = "{calculator: emt}",
    executor: str = "{kind: process, workers: 2}",
    extra: str = "",
    budget: int = 16,
) -> Path:
    """start.xyz, dft.xyz and config.yaml in directory; returns the config path."""
    write(directory / "start.xyz", starting_structures(), format="extxyz")
    write(directory / "dft.xyz", dft_frames(), format="extxyz")
    config = directory / "config.yaml"
    config.write_text(f"""
output: run
teacher: {teacher}
structures: [start.xyz]
explore:
  temperatures: [600, 1200]
  strains: [-0.02, 0.02]
  substitutions: [{{replace: Al, by: Cu, fraction: 0.25}}]
  steps: 10
  interval: 5
  normal_modes: {{samples: 2}}
select: {{budget: {budget}, holdout: 0.25}}
executor: {executor}
descriptors: {{cutoff: 5.0, n_radial: 4, angular_shells: 0, zeta: [1.0], lambdas: [1]}}
model: {{hidden: [6], activation: tanh}}
training: {{epochs: 3, batch_size: 4, early_stopping: null}}
{extra}""")
    return config


def counting_teacher(log: Path, seconds: float = 0.0) -> str:
    """The teacher setting for active_oracles.slow_emt: EMT logging every structure it is
    called on to `log`, taking `seconds` per call."""
    return (f"{{factory: 'active_oracles:slow_emt', kwargs: {{log: '{log}', "
            f"seconds: {seconds}}}}}")
