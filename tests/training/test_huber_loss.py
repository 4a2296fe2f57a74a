"""The Huber form of the loss terms: squared errors within the width, linear beyond."""

from __future__ import annotations

import pytest
import torch
from ase.units import GPa
from training_setup import make_model

from mlpot.config import LossWeights
from mlpot.config.schema import HuberWidths, TrainingConfig
from mlpot.models.predict import Prediction, predict
from mlpot.training.dataset import collate, prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.loss import batch_loss


@pytest.fixture(scope="module")
def prediction_and_batch(alni_frames):
    frames = alni_frames[:6]
    model = make_model()
    prepared = prepare_frames(frames, model, torch.float64, ["bulk"], progress=False)
    fit_preprocessing(model, frames, prepared, "minmax", pca=False)
    batch = collate(prepared)
    pred = predict(model, batch.inputs, {"forces", "stress"})
    return Prediction(*(t.detach() if t is not None else None for t in pred)), batch


def huber_reference(err: torch.Tensor, width: float) -> torch.Tensor:
    """Element by element, the plain definition."""
    out = torch.empty_like(err)
    for i, x in enumerate(err.flatten().tolist()):
        out.view(-1)[i] = x * x if abs(x) <= width else 2 * width * abs(x) - width * width
    return out


def test_each_term_matches_the_elementwise_definition(prediction_and_batch):
    pred, batch = prediction_and_batch
    n = batch.n_atoms
    energy_err = (pred.energy - batch.energy) / n
    force_err = pred.forces - batch.forces
    stress_err = (pred.stress - batch.stress) / GPa
    # widths inside the spread of each error, so that both branches are taken
    widths = {
        "energy": float(energy_err.abs().median()),
        "forces": float(force_err.abs().median()),
        "stress": float(stress_err.abs().median()),
    }
    expected = {
        "energy": huber_reference(energy_err, widths["energy"]).mean(),
        "forces": huber_reference(force_err, widths["forces"]).mean(),
        "stress": huber_reference(stress_err, widths["stress"]).mean(),
    }
    for term, value in expected.items():
        coefficients = {"energy": 0.0, "forces": 0.0, "stress": 0.0, term: 1.0}
        huber = HuberWidths(**{term: widths[term]})
        loss = batch_loss(pred, batch, LossWeights(**coefficients, huber=huber))
        assert float(loss) == pytest.approx(float(value), rel=1e-12), term


def test_a_width_above_every_error_is_the_squared_loss(prediction_and_batch):
    pred, batch = prediction_and_batch
    squared = LossWeights(energy=1.0, forces=0.5, stress=0.1)
    widths = HuberWidths(energy=1e3, forces=1e3, stress=1e6)
    wide = LossWeights(energy=1.0, forces=0.5, stress=0.1, huber=widths)
    assert float(batch_loss(pred, batch, wide)) == pytest.approx(
        float(batch_loss(pred, batch, squared)), rel=1e-12
    )


def test_a_narrow_width_is_below_the_squared_loss_and_linear_in_large_errors(
    prediction_and_batch,
):
    pred, batch = prediction_and_batch
    narrow = LossWeights(energy=0.0, forces=1.0, stress=0.0, huber=HuberWidths(forces=1e-6))
    squared = LossWeights(energy=0.0, forces=1.0, stress=0.0)
    assert float(batch_loss(pred, batch, narrow)) < float(batch_loss(pred, batch, squared))
    mean_abs = float((pred.forces - batch.forces).abs().mean())
    assert float(batch_loss(pred, batch, narrow)) == pytest.approx(2e-6 * mean_abs, rel=1e-5)


def test_config_refuses_a_width_that_is_not_positive():
    with pytest.raises(ValueError, match="huber"):
        TrainingConfig(loss={"huber": {"forces": 0.0}})
