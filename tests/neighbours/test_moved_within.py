"""The compiled update of a Verlet list (new positions, pairs inside the cutoff) against the
plain numpy functions it replaces."""

import numpy as np
from physics_helpers import bulk_alni, slab, triclinic

from mlpot.neighbours.pairs import moved_within, neighbour_pairs, update_vectors, within
from mlpot.neighbours.verlet import VerletList


def test_moved_within_equals_update_then_within():
    for atoms in (bulk_alni().repeat((2, 2, 2)), triclinic(), slab()):
        cell = atoms.cell.array
        pairs = neighbour_pairs(atoms.positions, cell, atoms.pbc, 5.0)
        moved = atoms.positions + np.random.default_rng(2).normal(scale=0.2, size=(len(atoms), 3))
        expected = within(update_vectors(pairs, moved, cell), 4.2)
        actual = moved_within(pairs, pairs.shifts @ cell, moved, 4.2)
        for name in expected._fields:
            np.testing.assert_allclose(getattr(actual, name), getattr(expected, name), atol=1e-12)


def test_verlet_list_equals_a_fresh_list_between_rebuilds():
    atoms = bulk_alni().repeat((2, 2, 2))
    verlet = VerletList(4.2, skin=1.0)
    rng = np.random.default_rng(5)
    for _ in range(4):
        atoms.positions += rng.normal(scale=0.05, size=(len(atoms), 3))
        actual = verlet.pairs(atoms.positions, atoms.cell.array, atoms.pbc)
        fresh = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, 4.2)
        key = np.lexsort(actual.shifts.T.tolist() + [actual.second, actual.first])
        ref = np.lexsort(fresh.shifts.T.tolist() + [fresh.second, fresh.first])
        np.testing.assert_array_equal(actual.first[key], fresh.first[ref])
        np.testing.assert_array_equal(actual.second[key], fresh.second[ref])
        np.testing.assert_allclose(actual.vectors[key], fresh.vectors[ref], atol=1e-12)
        np.testing.assert_array_equal(actual.offsets, fresh.offsets)
    assert verlet.builds == 1
