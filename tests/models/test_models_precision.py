"""A float32 model runs through the calculator and the training path and agrees with the same
weights in float64 to float32 precision."""

import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, calculator, molecule, to_frame, triclinic

from mlpot.models.predict import predict
from mlpot.training.dataset import collate, prepare_frame

STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "molecule": molecule}


def _assert_close32(actual, expected):
    """Agreement to float32 precision: a few 1e-6 of the largest magnitude."""
    expected = np.asarray(expected)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5 * max(np.abs(expected).max(), 1))


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_calculator_float32_matches_float64(alni_model, alni_model_float32, make):
    assert all(p.dtype == torch.float32 for p in alni_model_float32.parameters())
    single = calculator(alni_model_float32, make())
    double = calculator(alni_model, make())
    _assert_close32(single.get_potential_energy(), double.get_potential_energy())
    _assert_close32(single.get_potential_energies(), double.get_potential_energies())
    _assert_close32(single.get_forces(), double.get_forces())
    if single.pbc.all():
        _assert_close32(single.get_stress(), double.get_stress())
    # really computed in single precision: not bit-identical to double
    assert single.get_potential_energy() != double.get_potential_energy()


def test_training_path_float32(alni_model, alni_model_float32):
    def predict_all(model):
        frames = []
        for make in STRUCTURES.values():
            frame = to_frame(make())
            frames.append(prepare_frame(frame, model, model.dtype, group=0))
        return predict(model, collate(frames).inputs, {"forces", "stress"})

    single, double = predict_all(alni_model_float32), predict_all(alni_model)
    assert single.energy.dtype == single.forces.dtype == torch.float32
    for a, b in zip(single, double, strict=True):
        _assert_close32(a.detach().double().numpy(), b.detach().numpy())
