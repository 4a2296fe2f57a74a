"""Forces and stress of MlpotCalculator against central finite differences of its energy
(float64), for periodic, triclinic, small-cell, slab and molecular structures and for every
cutoff function."""

import numpy as np
import pytest
from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress
from physics_helpers import (
    CUTOFF_FUNCTIONS,
    bulk_alni,
    calculator,
    cutoff_id,
    cutoff_model,
    molecule,
    own_images,
    slab,
    triclinic,
)

EPS = 1e-5  # Å for forces, strain for stress; central differences err by ~EPS^2


def _assert_forces_match(atoms):
    forces = atoms.get_forces()
    numerical = calculate_numerical_forces(atoms, eps=EPS)
    scale = np.abs(numerical).max()
    assert scale > 1e-2  # a test of something
    np.testing.assert_allclose(forces, numerical, rtol=0, atol=1e-6 * scale)


def _assert_stress_matches(atoms):
    stress = atoms.get_stress()
    numerical = calculate_numerical_stress(atoms, eps=EPS)
    scale = np.abs(numerical).max()
    assert scale > 1e-3
    np.testing.assert_allclose(stress, numerical, rtol=0, atol=1e-6 * scale)


PERIODIC = {"bulk-cell-smaller-than-cutoff": bulk_alni, "triclinic": triclinic}


@pytest.mark.parametrize("make", PERIODIC.values(), ids=PERIODIC.keys())
def test_periodic_forces_and_stress(any_model, make):
    atoms = calculator(any_model, make())
    _assert_forces_match(atoms)
    _assert_stress_matches(atoms)


def test_single_atom_among_its_own_images(any_model):
    atoms = calculator(any_model, own_images("Al"))
    np.testing.assert_allclose(atoms.get_forces(), 0.0, atol=1e-12)  # inversion symmetry
    _assert_stress_matches(atoms)


@pytest.mark.parametrize("make", [slab, molecule], ids=["slab", "molecule"])
def test_forces_without_full_periodicity(any_model, make):
    _assert_forces_match(calculator(any_model, make()))


@pytest.mark.parametrize("cutoff_function", CUTOFF_FUNCTIONS, ids=cutoff_id)
def test_each_cutoff_function(cutoff_function):
    atoms = calculator(cutoff_model(cutoff_function), triclinic())
    _assert_forces_match(atoms)
    _assert_stress_matches(atoms)
