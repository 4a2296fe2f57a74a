"""Per-atom descriptor metadynamics: forces and stress against finite differences, a hill at
each chosen atom every stride steps, and a short run that moves environments."""

import numpy as np
from ase.calculators.emt import EMT
from physics_helpers import bulk_alni, molecule, triclinic
from sampling_helpers import excursion, run, thermal

from mlpot.sampling import AtomicMetadynamics, BiasedCalculator, DescriptorCV, pca_projection
from mlpot.testing import checks


def descriptor_cv(model, k=2, seed=0):
    n_features = model.sfset.n_features("Al")
    return DescriptorCV(model, np.random.default_rng(seed).normal(size=(n_features, k)))


def test_forces_and_stress_match_finite_differences(alni_model):
    atoms = triclinic()
    bias = AtomicMetadynamics(descriptor_cv(alni_model), 0.3, [0.4, 0.5], stride=1)
    projections = bias.cv.atom_projections(atoms).values
    rng = np.random.default_rng(3)
    for point in projections:
        bias.deposit(point + rng.normal(scale=0.2, size=2))
    calc = BiasedCalculator(EMT(), bias)
    assert calc.get_property("bias_energy", atoms.copy()) > 0.1

    def factory():
        return BiasedCalculator(EMT(), bias)

    checks.forces_match_finite_differences(factory, atoms)
    checks.stress_matches_finite_differences(factory, atoms)
    checks.forces_match_finite_differences(factory, molecule())


def test_a_hill_per_chosen_atom_every_stride(alni_model):
    atoms = bulk_alni()
    bias = AtomicMetadynamics(descriptor_cv(alni_model), 0.05, 0.1, stride=3, deposit_atoms=[0, 2])
    calc = BiasedCalculator(EMT(), bias)
    _, values, _ = run(calc, atoms, 7)
    assert values.shape == (7, 4, 2)
    expected = np.vstack([values[2, [0, 2]], values[5, [0, 2]]])
    np.testing.assert_allclose(bias.centres, expected)


def test_per_atom_hills_move_environments(alni_model):
    """32-atom Ni3Al at 300 K, 100 EMT steps: with hills at every atom's environment, atoms'
    projections travel farther than without."""
    start = bulk_alni().repeat(2)
    projection, centre = pca_projection(alni_model, [bulk_alni(s).repeat(2) for s in range(3)])
    cv = DescriptorCV(alni_model, projection, centre)
    farthest = {}
    for height in (1e-9, 0.05):
        bias = AtomicMetadynamics(cv, height, 0.05, stride=10)
        _, values, _ = run(BiasedCalculator(EMT(), bias), thermal(start.copy()), 100)
        farthest[height] = max(excursion(values[:, i]) for i in range(len(start)))
        assert len(bias.heights) == 10 * len(start)
    assert farthest[0.05] > 1.5 * farthest[1e-9]
