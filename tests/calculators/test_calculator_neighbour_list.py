"""The Verlet list behind the calculator: after moves below skin / 2 it gives exactly the pairs
of a fresh list without rebuilding; large moves and cell changes rebuild it."""

import numpy as np
import pytest
from physics_helpers import CUTOFF, bulk_alni, calculator, molecule, triclinic

from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.neighbours.verlet import VerletList

SKIN = 1.0


def _as_dict(pairs):
    """{(i, j, shift): vector}: pairs compared independently of their order."""
    keys = zip(pairs.first, pairs.second, map(tuple, pairs.shifts), strict=True)
    return {(int(i), int(j), s): v for (i, j, s), v in zip(keys, pairs.vectors, strict=True)}


def _assert_same_pairs(pairs, atoms):
    fresh = _as_dict(neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, CUTOFF))
    mine = _as_dict(pairs)
    assert mine.keys() == fresh.keys()
    for key, vector in fresh.items():
        np.testing.assert_allclose(mine[key], vector, rtol=0, atol=1e-12)
    assert np.all(np.diff(pairs.first) >= 0)
    np.testing.assert_array_equal(
        np.diff(pairs.offsets), np.bincount(pairs.first, minlength=len(atoms))
    )


def _small_moves(atoms, steps, seed):
    """Structures along a random walk whose atoms stay within 0.45 Å (< skin / 2) of the start."""
    rng = np.random.default_rng(seed)
    moved = atoms.copy()
    for _ in range(steps):
        step = rng.normal(size=(len(atoms), 3))
        moved.positions += 0.45 / steps * step / np.linalg.norm(step, axis=1, keepdims=True)
        yield moved.copy()


@pytest.mark.parametrize("make", [bulk_alni, triclinic, molecule])
def test_small_moves_reuse_the_list(make):
    atoms = make()
    verlet = VerletList(CUTOFF, SKIN)
    _assert_same_pairs(verlet.pairs(atoms.positions, atoms.cell.array, atoms.pbc), atoms)
    for moved in _small_moves(atoms, 8, seed=0):
        pairs = verlet.pairs(moved.positions, moved.cell.array, moved.pbc)
        _assert_same_pairs(pairs, moved)
    assert verlet.builds == 1


def test_calculator_with_skin_equals_fresh_calculators(alni_model):
    atoms = calculator(alni_model, bulk_alni())
    atoms.get_forces()
    for moved in _small_moves(atoms, 5, seed=1):
        atoms.positions = moved.positions
        fresh = calculator(alni_model, moved, skin=0.0)
        np.testing.assert_allclose(atoms.get_forces(), fresh.get_forces(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(atoms.get_stress(), fresh.get_stress(), rtol=0, atol=1e-12)
        assert atoms.get_potential_energy() == pytest.approx(
            fresh.get_potential_energy(), abs=1e-12
        )
    assert atoms.calc.evaluator.neighbours.builds == 1


def test_moves_beyond_half_the_skin_rebuild():
    """Two atoms just beyond cutoff + skin, each moving 0.55 Å (> skin / 2) towards the other,
    end up inside the cutoff: only a rebuild can find that pair."""
    start = CUTOFF + SKIN + 0.05
    verlet = VerletList(CUTOFF, SKIN)
    assert len(verlet.pairs(*_dimer(start)).first) == 0
    pairs = verlet.pairs(*_dimer(start - 1.1))
    assert verlet.builds == 2
    assert len(pairs.first) == 2
    assert pairs.distances == pytest.approx([CUTOFF - 0.05] * 2, abs=1e-12)


def _dimer(d):
    """(positions, cell, pbc) of two atoms d apart, the middle at the origin."""
    return np.array([[-d / 2, 0, 0], [d / 2, 0, 0]]), np.zeros((3, 3)), np.zeros(3, dtype=bool)


def test_cell_and_periodicity_changes_rebuild():
    atoms = bulk_alni()
    verlet = VerletList(CUTOFF, SKIN)
    verlet.pairs(atoms.positions, atoms.cell.array, atoms.pbc)
    strained = atoms.copy()
    strained.set_cell(atoms.cell.array * 1.0001, scale_atoms=True)
    _assert_same_pairs(
        verlet.pairs(strained.positions, strained.cell.array, strained.pbc), strained
    )
    assert verlet.builds == 2
    slab = strained.copy()
    slab.pbc = (True, True, False)
    _assert_same_pairs(verlet.pairs(slab.positions, slab.cell.array, slab.pbc), slab)
    assert verlet.builds == 3
    fewer = slab[:-1]
    _assert_same_pairs(verlet.pairs(fewer.positions, fewer.cell.array, fewer.pbc), fewer)
    assert verlet.builds == 4
