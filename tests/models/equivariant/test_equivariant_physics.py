"""Physics of the equivariant family: invariances, forces against finite differences, cutoff
smoothness, small periodic cells, molecules, single atoms, batching and precision."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase import Atoms

pytest.importorskip("e3nn")

from helpers import (  # noqa: E402
    CUTOFF,
    SETTINGS,
    atomic_energies,
    energy_and_forces,
    make_model,
    numerical_forces,
    pair_inputs,
)
from physics_helpers import (  # noqa: E402
    bulk_alni,
    molecule,
    own_images,
    random_rotation,
    slab,
    triclinic,
)

from mlpot.models.forces import forces_from_pair_gradients  # noqa: E402
from mlpot.neighbours.pairs import neighbour_pairs  # noqa: E402

KINDS = sorted(SETTINGS)
STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "slab": slab, "molecule": molecule}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["bulk", "triclinic", "slab", "molecule"])
def test_forces_match_finite_differences(kind, name):
    model = make_model(kind)
    atoms = STRUCTURES[name]()
    _, forces = energy_and_forces(model, atoms)
    expected = numerical_forces(model, atoms)
    assert np.abs(forces).max() > 1e-3  # not trivially zero
    np.testing.assert_allclose(forces, expected, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["bulk", "triclinic", "molecule"])
def test_rotation_reflection_translation_invariance(kind, name):
    model = make_model(kind)
    atoms = STRUCTURES[name]()
    energy, forces = energy_and_forces(model, atoms)
    rng = np.random.default_rng(11)
    for proper in (True, False):
        rotation = random_rotation(rng)
        if (np.linalg.det(rotation) > 0) != proper:
            rotation = -rotation  # the other component of O(3)
        moved = atoms.copy()
        moved.positions = atoms.positions @ rotation.T + rng.normal(size=3)
        moved.cell = atoms.cell.array @ rotation.T
        moved_energy, moved_forces = energy_and_forces(model, moved)
        assert moved_energy == pytest.approx(energy, abs=1e-10)
        np.testing.assert_allclose(moved_forces, forces @ rotation.T, atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_permutation_invariance(kind):
    model = make_model(kind)
    atoms = bulk_alni()
    order = np.array([2, 0, 3, 1])
    energies = atomic_energies(model, atoms)
    permuted = atomic_energies(model, atoms[order])
    np.testing.assert_allclose(permuted, energies[order], atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_energy_smooth_as_a_neighbour_crosses_the_cutoff(kind):
    model = make_model(kind)

    def dimer(distance: float) -> Atoms:
        direction = np.array([1.0, 0.3, -0.2]) / np.linalg.norm([1.0, 0.3, -0.2])
        return Atoms("AlNi", positions=[(0, 0, 0), distance * direction])

    far = atomic_energies(model, dimer(CUTOFF + 1.0)).sum()
    inside = [CUTOFF - d for d in (1e-2, 1e-3)]
    gaps = [abs(atomic_energies(model, dimer(r)).sum() - far) for r in inside]
    assert gaps[1] < 1e-6
    assert gaps[1] < gaps[0] * 1e-2  # the envelope vanishes as (r_c - r)^3
    _, forces = energy_and_forces(model, dimer(CUTOFF - 1e-3))
    assert np.abs(forces).max() < 1e-4
    assert atomic_energies(model, dimer(CUTOFF - 0.5)).sum() != pytest.approx(far, abs=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_one_atom_seeing_only_its_own_images(kind):
    model = make_model(kind)
    energy, forces = energy_and_forces(model, own_images())
    isolated = atomic_energies(model, Atoms("Ni"))[0]
    assert np.isfinite(energy) and abs(energy - isolated) > 1e-6
    np.testing.assert_allclose(forces, 0.0, atol=1e-12)  # its images pull equally both ways


@pytest.mark.parametrize("kind", KINDS)
def test_isolated_atoms_have_their_constant_energy(kind):
    model = make_model(kind)
    single = atomic_energies(model, Atoms("Ni", positions=[(0.0, 0.0, 0.0)]))
    apart = atomic_energies(model, Atoms("AlNi", positions=[(0, 0, 0), (0, 0, 3 * CUTOFF)]))
    assert single.shape == (1,)
    assert apart[1] == pytest.approx(single[0], abs=1e-12)
    assert np.isfinite(apart).all()
    energy, forces = energy_and_forces(model, Atoms("Al"))
    assert np.isfinite(energy) and np.all(forces == 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_batch_of_two_structures_equals_each_alone(kind):
    model = make_model(kind)
    structures = [triclinic(), molecule()]
    alone = [atomic_energies(model, atoms) for atoms in structures]
    inputs = [pair_inputs(model, atoms) for atoms in structures]
    offset = len(structures[0])
    species = torch.cat([inputs[0][0], inputs[1][0]])
    first = torch.cat([inputs[0][1], inputs[1][1] + offset])
    second = torch.cat([inputs[0][2], inputs[1][2] + offset])
    vectors = torch.cat([inputs[0][3], inputs[1][3]])
    with torch.no_grad():
        together = model.graph_energies(species, first, second, vectors).numpy()
    np.testing.assert_allclose(together, np.concatenate(alone), atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_pairs_in_any_order(kind):
    model = make_model(kind)
    species, first, second, vectors = pair_inputs(model, bulk_alni())
    order = torch.randperm(len(first), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = model.graph_energies(species, first, second, vectors)
        shuffled = model.graph_energies(species, first[order], second[order], vectors[order])
    torch.testing.assert_close(shuffled, expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_pairs_beyond_the_cutoff_contribute_nothing(kind):
    """A list built with a skin (as the calculator keeps between rebuilds) gives the same
    energies and forces."""
    model = make_model(kind)
    atoms = triclinic()
    species, first, second, vectors = pair_inputs(model, atoms)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, CUTOFF + 1.0)
    assert len(pairs.first) > len(first)
    results = []
    for f, s, v in [
        (first, second, vectors),
        (
            torch.from_numpy(pairs.first),
            torch.from_numpy(pairs.second),
            torch.from_numpy(pairs.vectors),
        ),
    ]:
        v = v.clone().requires_grad_(True)
        energies = model.graph_energies(species, f, s, v)
        (gradients,) = torch.autograd.grad(energies.sum(), v)
        forces = forces_from_pair_gradients(gradients, f, s, len(atoms))
        results.append((energies.detach(), forces))
    torch.testing.assert_close(results[1], results[0], atol=1e-12, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_float32_close_to_float64(kind):
    model64 = make_model(kind)
    model32 = make_model(kind, torch.float32)
    atoms = bulk_alni()
    e64, f64 = energy_and_forces(model64, atoms)
    e32, f32 = energy_and_forces(model32, atoms)
    assert model32.reference_energies.dtype == torch.float32
    assert e32 == pytest.approx(e64, abs=1e-4 * len(atoms))
    np.testing.assert_allclose(f32, f64, atol=1e-4 * max(1.0, np.abs(f64).max()))
