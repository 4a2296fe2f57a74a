"""Symmetries of the predictions: rotation, translation and permutation of atoms; extensivity
over supercells; explicit images equal to the periodic result (as in TorchANI's tests)."""

import numpy as np
import pytest
from ase import Atoms
from ase.stress import full_3x3_to_voigt_6_stress, voigt_6_to_full_3x3_stress
from physics_helpers import (
    CUTOFF,
    bulk_alni,
    calculator,
    compute_descriptors,
    molecule,
    random_rotation,
    slab,
    triclinic,
)

from mlpot.descriptors.acsf import ACSF

STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "slab": slab, "molecule": molecule}
TOL = {"rtol": 0, "atol": 1e-10}


def _predict(model, atoms):
    """(energy, per-atom energies, forces, stress or None) of a copy of `atoms`."""
    atoms = calculator(model, atoms.copy())
    stress = atoms.get_stress() if atoms.pbc.all() else None
    return (
        atoms.get_potential_energy(),
        atoms.get_potential_energies(),
        atoms.get_forces(),
        stress,
    )


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_rotation_and_reflection(any_model, make):
    atoms = make()
    energy, energies, forces, stress = _predict(any_model, atoms)
    q0 = random_rotation(np.random.default_rng(0))
    for q in (q0, -q0):  # one proper rotation, one improper (det -1)
        rotated = atoms.copy()
        rotated.positions = atoms.positions @ q.T
        rotated.cell = atoms.cell.array @ q.T
        r_energy, r_energies, r_forces, r_stress = _predict(any_model, rotated)
        assert r_energy == pytest.approx(energy, abs=1e-10)
        np.testing.assert_allclose(r_energies, energies, **TOL)
        np.testing.assert_allclose(r_forces, forces @ q.T, **TOL)
        if stress is not None:
            expected = q @ voigt_6_to_full_3x3_stress(stress) @ q.T
            np.testing.assert_allclose(r_stress, full_3x3_to_voigt_6_stress(expected), **TOL)


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_translation(any_model, make):
    atoms = make()
    energy, energies, forces, stress = _predict(any_model, atoms)
    moved = atoms.copy()
    moved.positions += [3.7, -12.1, 5.3]
    if atoms.pbc.any():
        moved.wrap()  # positions folded back into the cell: the same periodic structure
    t_energy, t_energies, t_forces, t_stress = _predict(any_model, moved)
    assert t_energy == pytest.approx(energy, abs=1e-10)
    np.testing.assert_allclose(t_energies, energies, **TOL)
    np.testing.assert_allclose(t_forces, forces, **TOL)
    if stress is not None:
        np.testing.assert_allclose(t_stress, stress, **TOL)


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_permutation(any_model, make):
    atoms = make()
    energy, energies, forces, stress = _predict(any_model, atoms)
    order = np.roll(np.arange(len(atoms)), 1)  # a cyclic shift: every atom gets a new index
    p_energy, p_energies, p_forces, p_stress = _predict(any_model, atoms[order])
    assert p_energy == pytest.approx(energy, abs=1e-10)
    np.testing.assert_allclose(p_energies, energies[order], **TOL)
    np.testing.assert_allclose(p_forces, forces[order], **TOL)
    if stress is not None:
        np.testing.assert_allclose(p_stress, stress, **TOL)


@pytest.mark.parametrize(
    "make, repeat",
    [(bulk_alni, (2, 2, 2)), (triclinic, (2, 2, 2)), (slab, (2, 2, 1))],
    ids=["bulk", "triclinic", "slab"],
)
def test_supercell(any_model, make, repeat):
    """E(supercell) = copies * E(cell); every copy of an atom has the same descriptors,
    energy and force; the stress is unchanged."""
    atoms = make()
    copies = int(np.prod(repeat))
    supercell = atoms.repeat(repeat)  # copies of the whole cell, one after another
    energy, energies, forces, stress = _predict(any_model, atoms)
    s_energy, s_energies, s_forces, s_stress = _predict(any_model, supercell)
    assert s_energy == pytest.approx(copies * energy, abs=1e-9)
    np.testing.assert_allclose(s_energies, np.tile(energies, copies), **TOL)
    np.testing.assert_allclose(s_forces, np.tile(forces, (copies, 1)), **TOL)
    if stress is not None:
        np.testing.assert_allclose(s_stress, stress, **TOL)
    acsf = ACSF(any_model.sfset)
    np.testing.assert_allclose(
        compute_descriptors(acsf, supercell),
        np.tile(compute_descriptors(acsf, atoms), (copies, 1)),
        rtol=0,
        atol=1e-12,
    )


def _cluster_around(atoms, centre, radius):
    """Non-periodic cluster of all images of `atoms` within radius of atom `centre`, with the
    centre atom first."""
    spacing = 1 / np.linalg.norm(np.linalg.inv(atoms.cell.array), axis=0)
    # cells on each side: they must span the radius plus an atom's offset in its cell
    n = int(np.ceil((radius + spacing.max()) / spacing.min())) + 1
    images = atoms.repeat(2 * n + 1)
    images.positions -= atoms.cell.array.sum(axis=0) * n
    distance = np.linalg.norm(images.positions - atoms.positions[centre], axis=1)
    order = np.argsort(distance)
    keep = order[distance[order] < radius]
    return Atoms(images.numbers[keep], positions=images.positions[keep])


@pytest.mark.parametrize("make", [bulk_alni, triclinic], ids=["bulk", "triclinic"])
def test_explicit_images_equal_periodic_result(any_model, make):
    """Each atom's descriptors and energy in the periodic cell equal those of the same atom at
    the centre of a large non-periodic cluster cut from the repeated structure (reaching
    twice the cutoff where neighbour messages carry the neighbours' environments)."""
    atoms = make()
    acsf = ACSF(any_model.sfset)
    periodic = compute_descriptors(acsf, atoms)
    _, energies, _, _ = _predict(any_model, atoms)
    reach = CUTOFF if any_model.interaction is None else 2 * CUTOFF
    for centre in range(len(atoms)):
        cluster = _cluster_around(atoms, centre, reach + 0.5)
        assert len(cluster) > 3 * len(atoms)
        assert cluster.positions[0] == pytest.approx(atoms.positions[centre], abs=1e-12)
        np.testing.assert_allclose(
            compute_descriptors(acsf, cluster)[0], periodic[centre], rtol=1e-12, atol=1e-12
        )
        c_energies = _predict(any_model, cluster)[1]
        assert c_energies[0] == pytest.approx(energies[centre], abs=1e-10)
