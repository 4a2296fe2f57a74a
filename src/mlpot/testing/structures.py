"""Small structures that exercise periodic images, for any model's elements.

Geometries are those of an Al-Ni test set (nearest neighbours about 2.5 Å) scaled to the
nearest-neighbour distance `spacing` (Å) a model expects; elements are assigned in turn, so a
one-element model gets one-element structures and a two-element model mixed ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

REFERENCE_SPACING = 2.52  # Å, nearest neighbours of the geometries below


def _symbols(elements: Sequence[str], pattern: Sequence[int]) -> list[str]:
    return [elements[k % len(elements)] for k in pattern]


def _rattled(atoms: Atoms, amplitude: float, seed: int) -> Atoms:
    rng = np.random.default_rng(seed)
    atoms.positions += rng.uniform(-amplitude, amplitude, size=atoms.positions.shape)
    return atoms


def bulk(elements: Sequence[str], spacing: float = REFERENCE_SPACING, seed: int = 1) -> Atoms:
    """A rattled four-atom cubic cell (L1_2): smaller than any usual cutoff, so every atom
    sees several images of every atom, its own included."""
    s = spacing / REFERENCE_SPACING
    scaled = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)]
    symbols = _symbols(elements, [0, 1, 1, 1])
    atoms = Atoms(symbols, scaled_positions=scaled, cell=3.57 * s * np.eye(3), pbc=True)
    return _rattled(atoms, 0.15 * s, seed)


def triclinic(elements: Sequence[str], spacing: float = REFERENCE_SPACING, seed: int = 3):
    """Three atoms in a strongly skewed cell (angles far from 90 degrees)."""
    s = spacing / REFERENCE_SPACING
    cell = s * np.array([[4.0, 0.0, 0.0], [1.7, 3.6, 0.0], [-1.2, 0.9, 4.1]])
    scaled = [(0.1, 0.2, 0.05), (0.55, 0.45, 0.5), (0.3, 0.8, 0.7)]
    atoms = Atoms(_symbols(elements, [0, 1, 1]), scaled_positions=scaled, cell=cell, pbc=True)
    return _rattled(atoms, 0.1 * s, seed)


def slab(elements: Sequence[str], spacing: float = REFERENCE_SPACING, seed: int = 5) -> Atoms:
    """Two layers periodic in x, y, with vacuum along z (pbc = T, T, F)."""
    s = spacing / REFERENCE_SPACING
    scaled = [(0.0, 0.0, 0.4), (0.5, 0.5, 0.4), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5)]
    cell = s * np.array([[3.7, 0.0, 0.0], [0.6, 3.5, 0.0], [0.0, 0.0, 18.0]])
    symbols = _symbols(elements, [0, 1, 1, 0])
    atoms = Atoms(symbols, scaled_positions=scaled, cell=cell, pbc=(True, True, False))
    return _rattled(atoms, 0.1 * s, seed)


def molecule(elements: Sequence[str], spacing: float = REFERENCE_SPACING, seed: int = 6):
    """A five-atom cluster, no cell, no periodicity."""
    s = spacing / REFERENCE_SPACING
    positions = s * np.array(
        [(0.0, 0.0, 0.0), (2.3, 0.2, -0.1), (0.3, 2.4, 0.2), (1.2, 1.1, 2.1), (-1.9, 1.0, 1.2)]
    )
    atoms = Atoms(_symbols(elements, [0, 1, 0, 1, 1]), positions=positions)
    return _rattled(atoms, 0.1 * s, seed)


def own_images(elements: Sequence[str], spacing: float = REFERENCE_SPACING) -> Atoms:
    """One atom in a skewed cell about half a cutoff wide: it sees only its own images."""
    s = spacing / REFERENCE_SPACING
    cell = s * np.array([[2.6, 0.0, 0.0], [0.8, 2.5, 0.0], [0.3, -0.6, 2.7]])
    return Atoms(elements[0], positions=[(0.2, 0.1, 0.3)], cell=cell, pbc=True)


def dimer(elements: Sequence[str], distance: float) -> Atoms:
    """Two atoms (the first two elements, or one element twice) `distance` Å apart."""
    return Atoms(_symbols(elements, [0, 1]), positions=[(0, 0, 0), (distance, 0, 0)])


STRUCTURES = {"bulk": bulk, "triclinic": triclinic, "slab": slab, "molecule": molecule}
PERIODIC = {"bulk": bulk, "triclinic": triclinic}
