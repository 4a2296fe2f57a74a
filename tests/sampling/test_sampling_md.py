"""Short MD runs: descriptor metadynamics moves its CV away from where plain MD stays, and a
guided restraint drives a difference of distances to its target and holds it there."""

import numpy as np
import pytest
from ase.calculators.emt import EMT
from ase.units import fs
from physics_helpers import bulk_alni, molecule
from sampling_helpers import excursion, run, thermal

from mlpot.errors import MlpotError
from mlpot.sampling import (
    BiasedCalculator,
    DescriptorCV,
    DistanceCombination,
    Metadynamics,
    MovingRestraint,
    pca_projection,
)


def test_descriptor_metadynamics_leaves_the_start(alni_model):
    """EMT Ni3Al at 300 K, 100 steps: with hills on the two leading principal components of
    the model's descriptors the CV travels several times farther than without."""
    start = bulk_alni().repeat(2)
    projection, centre = pca_projection(alni_model, [bulk_alni(s).repeat(2) for s in range(3)])
    cv = DescriptorCV(alni_model, projection, centre)
    excursions = {}
    for height in (1e-9, 0.5):
        bias = Metadynamics(cv, height, 0.05, stride=5)
        _, values, bias_energy = run(BiasedCalculator(EMT(), bias), thermal(start.copy()), 100)
        assert values.shape == (100, 2) and len(bias.heights) == 20
        excursions[height] = excursion(values)
    assert excursions[0.5] > 3 * excursions[1e-9]
    assert bias_energy.max() > 0.1


def test_guided_md_reaches_and_holds_the_target():
    """d(0,1) - d(0,2) in a five-atom cluster driven by +1 Å at 0.01 Å per step, then held
    for 100 steps: it follows the centre and oscillates about the target (NVE)."""
    atoms = thermal(molecule(), 50.0)
    cv = DistanceCombination([(0, 1), (0, 2)], [1.0, -1.0])
    start = cv.evaluate(atoms).values[0]
    restraint = MovingRestraint(cv, kappa=50.0, target=start + 1.0, rate=0.01)
    steps, values, _ = run(BiasedCalculator(EMT(), restraint), atoms, 200, timestep=1 * fs)
    s = values[:, 0]
    assert restraint.centre == pytest.approx(start + 1.0)
    lag = s[:100] - (start + 0.01 * steps[:100])
    assert np.abs(lag).max() < 0.15
    held = s[100:] - (start + 1.0)
    assert abs(held.mean()) < 0.05 and np.abs(held).max() < 0.15


def test_restraint_continues_after_restore(tmp_path):
    atoms = molecule()
    cv = DistanceCombination([(0, 1)])
    first = BiasedCalculator(EMT(), MovingRestraint(cv, 10.0, target=1.0, rate=0.02))
    run(first, atoms, 5)
    first.save(tmp_path / "guided.npz")
    second = BiasedCalculator(EMT(), MovingRestraint(cv, 10.0, target=1.0, rate=0.02))
    second.restore(tmp_path / "guided.npz")
    assert second.bias.centre == pytest.approx(first.bias.centre)
    assert second.bias.centre == pytest.approx(first.bias.start - 0.1)


def test_restraint_needs_one_coordinate(alni_model):
    cv = DescriptorCV(alni_model, np.ones((alni_model.sfset.n_features("Al"), 2)))
    with pytest.raises(MlpotError, match="one coordinate"):
        MovingRestraint(cv, 1.0, 0.0, 0.1)
