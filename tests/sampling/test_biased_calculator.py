"""BiasedCalculator: forces and stress against finite differences of its energy, stress
refused where the CV has none, hills deposited every stride steps, saved and restored."""

import numpy as np
import pytest
from ase.calculators.emt import EMT
from ase.md.verlet import VelocityVerlet
from ase.units import fs
from physics_helpers import bulk_alni, molecule, slab, triclinic

from mlpot.errors import MlpotError
from mlpot.sampling import (
    BiasedCalculator,
    Coordination,
    DescriptorCV,
    Distance,
    DistanceCombination,
    Metadynamics,
)
from mlpot.testing import checks


def hills_near(cv, atoms, height=0.5, widths=0.3, count=3, seed=0):
    """Metadynamics on `cv` with a few hills scattered around the structure's s, so that the
    bias and its forces are large."""
    bias = Metadynamics(cv, height, widths, stride=1)
    values = cv.evaluate(atoms).values
    rng = np.random.default_rng(seed)
    for _ in range(count):
        bias.deposit(values + rng.normal(scale=0.5 * np.asarray(widths), size=values.shape))
    return bias


def biased(bias):
    return lambda: BiasedCalculator(EMT(), bias)


def test_descriptor_bias_forces_and_stress(alni_model):
    atoms = triclinic()
    projection = np.random.default_rng(1).normal(size=(alni_model.sfset.n_features("Al"), 2))
    bias = hills_near(DescriptorCV(alni_model, projection), atoms, widths=[0.2, 0.3])
    assert abs(BiasedCalculator(EMT(), bias).get_property("bias_energy", atoms.copy())) > 0.05
    checks.forces_match_finite_differences(biased(bias), atoms)
    checks.stress_matches_finite_differences(biased(bias), atoms)


@pytest.mark.parametrize(
    "cv",
    [Coordination(2.0, 4.0), DistanceCombination([(0, 1), (0, 2)], [1.0, -1.0])],
    ids=["coordination", "difference"],
)
def test_geometric_bias_forces_and_stress(cv):
    atoms = triclinic()
    bias = hills_near(cv, atoms, widths=0.2)
    checks.forces_match_finite_differences(biased(bias), atoms)
    checks.stress_matches_finite_differences(biased(bias), atoms)
    checks.forces_match_finite_differences(biased(bias), molecule())


def test_stress_refused_clearly():
    atoms = slab()
    atoms.calc = BiasedCalculator(EMT(), hills_near(Distance(0, 1), atoms))
    with pytest.raises(MlpotError, match="periodic in all three"):
        atoms.get_stress()


def test_energy_is_the_calculator_plus_the_bias():
    atoms = bulk_alni()
    bias = hills_near(Distance(0, 1), atoms, widths=0.1)
    atoms.calc = BiasedCalculator(EMT(), bias)
    expected = bias.energy(np.array([atoms.get_distance(0, 1, mic=True)]))[0]
    plain = atoms.copy()
    plain.calc = EMT()
    assert np.isclose(atoms.get_potential_energy(), plain.get_potential_energy() + expected)
    assert expected > 1e-3


def run(calc, atoms, steps):
    atoms.calc = calc
    dynamics = VelocityVerlet(atoms, 2 * fs)
    calc.attach(dynamics)
    dynamics.run(steps)
    return atoms


def test_hills_every_stride_steps():
    atoms = bulk_alni()
    calc = BiasedCalculator(EMT(), Metadynamics(Distance(0, 1), 0.05, 0.1, stride=4))
    run(calc, atoms, 10)
    steps, values, _ = calc.history
    assert steps.tolist() == list(range(1, 11))
    np.testing.assert_allclose(calc.bias.centres[:, 0], values[[3, 7], 0])
    np.testing.assert_allclose(calc.bias.heights, 0.05)


def test_well_tempered_hills_shrink():
    cv = Distance(0, 1)
    bias = Metadynamics(cv, 0.1, 0.2, stride=1, bias_factor=5.0, temperature=300.0)
    heights = [bias.deposit(np.array([2.5])) for _ in range(5)]
    assert heights[0] == 0.1
    assert (np.diff(heights) < 0).all()


def test_saved_hills_continue_the_run(tmp_path):
    """Ten steps, saved, then ten more from the file give the same hills and history as
    twenty steps in one run."""
    start = bulk_alni()

    def fresh():
        return BiasedCalculator(EMT(), Metadynamics(Coordination(2.0, 3.5), 0.05, 0.1, stride=3))

    whole = fresh()
    reference = run(whole, start.copy(), 20)
    first = fresh()
    atoms = run(first, start.copy(), 10)
    first.save(tmp_path / "bias.npz")
    second = fresh()
    second.restore(tmp_path / "bias.npz")
    atoms = run(second, atoms, 10)
    np.testing.assert_allclose(second.bias.centres, whole.bias.centres, atol=1e-10)
    np.testing.assert_allclose(second.history[1], whole.history[1], atol=1e-10)
    np.testing.assert_allclose(atoms.positions, reference.positions, atol=1e-8)
    assert len(whole.bias.heights) == 6


def test_restore_refuses_other_files(tmp_path):
    calc = BiasedCalculator(EMT(), Metadynamics(Distance(0, 1), 0.05, 0.1))
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(MlpotError, match="not a saved bias"):
        calc.restore(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("not numpy")
    with pytest.raises(MlpotError, match="cannot read"):
        calc.restore(tmp_path / "text.npz")
    saved = BiasedCalculator(EMT(), Metadynamics(Distance(0, 1), 0.05, 0.3))
    saved.save(tmp_path / "bias.npz")
    with pytest.raises(MlpotError, match="widths"):
        calc.restore(tmp_path / "bias.npz")


def test_wraps_an_mlpot_model(alni_model):
    """G-metaD on the model's own descriptors around its own calculator."""
    from mlpot.calculators import MlpotCalculator

    atoms = bulk_alni()
    projection = np.random.default_rng(2).normal(size=(alni_model.sfset.n_features("Al"), 2))
    bias = hills_near(DescriptorCV(alni_model, projection), atoms, widths=0.3)

    def factory():
        return BiasedCalculator(MlpotCalculator(alni_model), bias)

    checks.forces_match_finite_differences(factory, atoms)
    checks.stress_matches_finite_differences(factory, atoms)
