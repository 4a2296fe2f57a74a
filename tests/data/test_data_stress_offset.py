"""Stress labels against the energies of strained copies (mlpot.data.stress_offset): exact
labels show no offset, a constant pressure added to them is found and taken off for training."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.units import GPa

from mlpot.data import Frame
from mlpot.data.stress_offset import (
    MIN_OFFSET,
    estimate_stress_offset,
    remove_stress_offsets,
    strained_pairs,
)

STRAINS = (-0.06, -0.04, -0.02, 0.0, 0.02, 0.04)


def _deformed(mode: str, strain: float):
    """A 32-atom Cu cell under the Lagrangian strain `strain` in `mode`, EMT labels."""
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    lagrangian = np.zeros((3, 3))
    if mode == "volume":
        lagrangian = strain * np.eye(3) / 3
    else:
        i, j = ("xyz".index(axis) for axis in mode)
        lagrangian[i, j] = lagrangian[j, i] = strain
    atoms.set_cell(atoms.cell.array @ np.linalg.cholesky(np.eye(3) + 2 * lagrangian),
                   scale_atoms=True)
    atoms.calc = EMT()
    return atoms


def _frame(atoms, pressure_offset: float = 0.0, fidelity=None, index=0) -> Frame:
    """The labelled frame, its stress labels shifted by a constant pressure (GPa)."""
    stress = atoms.get_stress() + pressure_offset * GPa * np.array([-1, -1, -1, 0, 0, 0])
    return Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc,
                 atoms.get_potential_energy(), atoms.get_forces(), stress,
                 source=f"strained.xyz:{index}", fidelity=fidelity)


@pytest.fixture(scope="module")
def strained_atoms():
    return [_deformed(mode, s) for mode in ("xx", "xy", "volume") for s in STRAINS]


def _frames(strained_atoms, pressure_offset=0.0, fidelity=None):
    return [_frame(a, pressure_offset, fidelity, k) for k, a in enumerate(strained_atoms)]


def test_exact_labels_show_no_offset(strained_atoms):
    offset = estimate_stress_offset(_frames(strained_atoms))
    assert offset is not None and offset.pairs >= 10
    assert abs(offset.stress) < 0.5 * MIN_OFFSET  # the trapezoidal rule's error at 2 % steps
    assert not offset.significant


def test_constant_pressure_in_the_labels_is_found(strained_atoms):
    # labels 2 GPa too compressive: ASE stress (tensile positive) off by -2 GPa
    offset = estimate_stress_offset(_frames(strained_atoms, pressure_offset=2.0))
    assert offset.stress / GPa == pytest.approx(-2.0, abs=0.1)
    assert offset.significant and offset.standard_error < 0.05 * GPa


def test_pairs_need_the_same_fractional_positions_and_a_small_strain(strained_atoms):
    frames = _frames(strained_atoms)
    assert all(np.abs(eps).max() <= 0.025 for _, _, eps in strained_pairs(frames))
    rattled = strained_atoms[0].copy()
    rattled.rattle(0.05, seed=1)
    rattled.calc = EMT()
    assert strained_pairs([_frame(rattled), frames[1]]) == []
    # the strains -0.06 and +0.04 of one mode are too far apart to pair
    assert strained_pairs([frames[0], frames[5]]) == []
    assert estimate_stress_offset(frames[:3]) is None  # fewer pairs than MIN_PAIRS


def test_offset_removed_per_fidelity_and_recorded(strained_atoms):
    shifted = _frames(strained_atoms, pressure_offset=2.0, fidelity="dft")
    exact = _frames(strained_atoms, fidelity="cheap")
    no_stress = _frame(strained_atoms[0], fidelity="dft")
    no_stress.stress = None
    train, validation, records = remove_stress_offsets(
        shifted[::2] + exact + [no_stress], shifted[1::2], target_fidelity="dft")
    assert records["dft"]["removed"]
    assert records["dft"]["stress_gpa"] == pytest.approx(-2.0, abs=0.1)
    assert not records["cheap"]["removed"]
    cleaned = [f for f in train + validation if f.fidelity == "dft" and f.stress is not None]
    assert len(cleaned) == len(shifted)
    assert abs(estimate_stress_offset(cleaned).stress) < 1e-3 * MIN_OFFSET
    for before, after in zip(shifted[::2], train, strict=False):
        shift = (after.stress - before.stress) / GPa
        np.testing.assert_allclose(shift[3:], 0.0)
        np.testing.assert_allclose(shift[:3], -records["dft"]["stress_gpa"])
    assert all(a is b for a, b in zip(train[len(shifted[::2]):], exact + [no_stress],
                                      strict=True))  # other fidelity, no stress: untouched
    np.testing.assert_array_equal(shifted[0].stress, _frames(strained_atoms, 2.0)[0].stress)


def test_evaluation_data_with_an_offset_is_warned_about(strained_atoms, capsys):
    from mlpot.data.screening import warn_about_data

    warn_about_data(_frames(strained_atoms))
    assert "stress labels disagree" not in capsys.readouterr().err
    warn_about_data(_frames(strained_atoms, pressure_offset=2.0))
    assert "disagree with the energies by an isotropic -2.0" in capsys.readouterr().err
