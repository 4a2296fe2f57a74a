"""Labelled structures and broken variants of them for the bad-data tests: EMT copper with
DFT-like energies (-4 eV per atom added, so that a wrong unit changes them visibly)."""

from __future__ import annotations

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from mlpot.data.ase_files import frame_from_atoms

OFFSET_EV = -4.0  # per atom
HARTREE = 27.211386


def labelled(atoms, offset: float = OFFSET_EV):
    """atoms with EMT energy (plus offset per atom), forces and stress as fixed labels."""
    atoms.calc = EMT()
    energy, forces, stress = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
    atoms.calc = SinglePointCalculator(
        atoms, energy=energy + offset * len(atoms), forces=forces, stress=stress
    )
    return atoms


def copper(n: int, seed: int = 0, rattle: float = 0.08) -> list:
    """n rattled fcc Cu cells (4 atoms) with slightly different lattice constants."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(n):
        atoms = bulk("Cu", "fcc", a=3.55 + 0.1 * rng.random(), cubic=True)
        atoms.rattle(rattle, seed=int(rng.integers(1 << 30)))
        images.append(labelled(atoms))
    return images


def trajectory(n: int, step: float = 0.02, seed: int = 0) -> list:
    """n frames of a 2x2x2 Cu supercell, each moved by `step` Å along a random direction."""
    rng = np.random.default_rng(seed)
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    atoms.rattle(0.05, seed=seed)
    direction = rng.normal(size=atoms.positions.shape)
    direction /= np.abs(direction).max()
    images = []
    for _ in range(n):
        images.append(labelled(atoms.copy()))
        atoms.positions += step * direction
    return images


def frames_of(images, name: str = "data.xyz") -> list:
    """Frames (mlpot's) of ase images, with sources "name:i"."""
    return [frame_from_atoms(atoms, f"{name}:{i}") for i, atoms in enumerate(images)]


def write_xyz(path, images) -> str:
    write(path, images, format="extxyz")
    return str(path)


def in_hartree(atoms):
    """A copy of labelled atoms with the energy (only) divided by eV per Hartree."""
    copy = atoms.copy()
    results = dict(atoms.calc.results)
    results["energy"] = results["energy"] / HARTREE
    results.pop("free_energy", None)
    copy.calc = SinglePointCalculator(copy, **results)
    return copy
