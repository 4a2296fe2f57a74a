"""Every collective variable's ds/dR and ds/d(strain) against central finite differences,
in a skewed periodic cell, a slab and a molecule."""

import numpy as np
import pytest
from physics_helpers import molecule, slab, triclinic

from mlpot.sampling import Coordination, DescriptorCV, Distance, DistanceCombination

STEP = 1e-5


def numerical_gradient(cv, atoms):
    """(K, N, 3) central differences of s."""
    out = np.zeros((len(cv.names), len(atoms), 3))
    for n in range(len(atoms)):
        for a in range(3):
            values = []
            for sign in (1, -1):
                moved = atoms.copy()
                moved.positions[n, a] += sign * STEP
                values.append(cv.evaluate(moved).values)
            out[:, n, a] = (values[0] - values[1]) / (2 * STEP)
    return out


def numerical_virial(cv, atoms):
    """(K, 3, 3) central differences of s under a homogeneous strain of cell and atoms."""
    out = np.zeros((len(cv.names), 3, 3))
    for a in range(3):
        for b in range(3):
            values = []
            for sign in (1, -1):
                strain = np.eye(3)
                strain[a, b] += sign * STEP
                moved = atoms.copy()
                moved.set_cell(atoms.cell.array @ strain, scale_atoms=True)
                values.append(cv.evaluate(moved).values)
            out[:, a, b] = (values[0] - values[1]) / (2 * STEP)
    return out


def random_projection(model, k=2, seed=0):
    n_features = max(model.sfset.n_features(e) for e in model.elements)
    return np.random.default_rng(seed).normal(size=(n_features, k))


def collective_variables(model):
    return {
        "distance": Distance(0, 2),
        "difference": DistanceCombination([(0, 1), (1, 2)], [1.0, -1.0]),
        "coordination": Coordination(1.5, 5.0),
        "coordination_groups": Coordination(2.0, 4.5, centres=[0], neighbours=[1, 2]),
        "descriptors": DescriptorCV(model, random_projection(model)),
        "descriptors_subset": DescriptorCV(model, random_projection(model, 3, 1), atoms=[1]),
    }


NAMES = [
    "distance",
    "difference",
    "coordination",
    "coordination_groups",
    "descriptors",
    "descriptors_subset",
]
STRUCTURES = {"triclinic": triclinic, "slab": slab, "molecule": molecule}


@pytest.mark.parametrize("structure", list(STRUCTURES))
@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(alni_model, name, structure):
    cv = collective_variables(alni_model)[name]
    atoms = STRUCTURES[structure]()
    found = cv.evaluate(atoms)
    expected = numerical_gradient(cv, atoms)
    assert np.abs(expected).max() > 1e-4, "the CV does not depend on the positions here"
    np.testing.assert_allclose(found.gradient, expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    assert (found.virial is None) == (not atoms.pbc.all())


@pytest.mark.parametrize("name", NAMES)
def test_virial_matches_finite_differences(alni_model, name):
    cv = collective_variables(alni_model)[name]
    atoms = triclinic()
    expected = numerical_virial(cv, atoms)
    assert np.abs(expected).max() > 1e-4
    np.testing.assert_allclose(
        cv.evaluate(atoms).virial, expected, rtol=0, atol=1e-6 * np.abs(expected).max()
    )


def test_distance_uses_the_nearest_image():
    atoms = triclinic()
    far = atoms.positions[2] - atoms.positions[0]
    assert Distance(0, 2).evaluate(atoms).values[0] <= np.linalg.norm(far) + 1e-12
    assert np.isclose(Distance(0, 2).evaluate(atoms).values[0], atoms.get_distance(0, 2, mic=True))


def test_coordination_counts_neighbours():
    """Two atoms 2 Å apart with the switch at 3-4 Å: each has one neighbour."""
    from ase import Atoms

    dimer = Atoms("Al2", positions=[[0, 0, 0], [2.0, 0, 0]])
    assert np.isclose(Coordination(3.0, 4.0).evaluate(dimer).values[0], 1.0)
    dimer.positions[1, 0] = 4.5
    assert Coordination(3.0, 4.0).evaluate(dimer).values[0] == 0.0


def test_descriptor_cv_is_the_projected_mean_of_atom_features(alni_model):
    atoms = triclinic()
    projection = random_projection(alni_model)
    centre = np.linspace(0, 1, projection.shape[0])
    cv = DescriptorCV(alni_model, projection, centre)
    expected = (alni_model.atom_features(atoms) - centre).mean(0) @ projection
    np.testing.assert_allclose(cv.evaluate(atoms).values, expected, atol=1e-10)


def test_bad_indices_are_refused():
    from mlpot.errors import MlpotError

    with pytest.raises(MlpotError, match="do not exist"):
        Distance(0, 7).evaluate(triclinic())
    with pytest.raises(MlpotError, match="one sign or weight per pair"):
        DistanceCombination([(0, 1)], [1.0, -1.0])
