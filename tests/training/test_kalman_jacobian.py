"""Kalman observations: values equal the training predictions, Jacobians equal autograd and
finite differences of the weights (two-element Al-Ni model, EMT-labelled structures)."""

from __future__ import annotations

import pytest
import torch
from emt_alni import emt_frames
from training_setup import make_model

from mlpot.models.predict import predict
from mlpot.training.dataset import collate, prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.kalman_jacobian import (
    WeightLayout,
    energy_observations,
    force_observations,
    stress_observations,
)


@pytest.fixture(scope="module")
def fitted():
    frames = emt_frames(4, seed=5)
    model = make_model()
    prepared = prepare_frames(frames, model, torch.float64, ["bulk"], progress=False)
    fit_preprocessing(model, frames, prepared, "minmax", pca=False)
    return model, prepared


def reference_jacobian(model, outputs: torch.Tensor) -> torch.Tensor:
    """Row by row with plain autograd."""
    parameters = WeightLayout(model).parameters
    rows = []
    for value in outputs:
        grads = torch.autograd.grad(value, parameters, retain_graph=True, allow_unused=True)
        rows.append(
            torch.cat(
                [
                    (torch.zeros_like(p) if g is None else g).reshape(-1)
                    for g, p in zip(grads, parameters, strict=True)
                ]
            )
        )
    return torch.stack(rows)


def test_energies_match_predictions_and_autograd(fitted):
    model, prepared = fitted
    prediction = predict(model, collate(prepared[:3]).inputs, set(), create_graph=True)
    observed = energy_observations(model, prepared[:3])
    torch.testing.assert_close(observed.values, prediction.energy.detach(), rtol=1e-12, atol=0)
    expected = reference_jacobian(model, prediction.energy)
    torch.testing.assert_close(observed.jacobian, expected, rtol=1e-10, atol=1e-14)


def test_force_components_match_predictions_and_autograd(fitted):
    model, prepared = fitted
    frame = prepared[1]
    atoms, directions = torch.tensor([0, 3, 2, 0]), torch.tensor([0, 2, 1, 1])
    prediction = predict(model, collate([frame]).inputs, {"forces"}, create_graph=True)
    selected = prediction.forces[atoms, directions]
    observed = force_observations(model, frame, atoms, directions)
    torch.testing.assert_close(observed.values, selected.detach(), rtol=1e-10, atol=1e-14)
    expected = reference_jacobian(model, selected)
    torch.testing.assert_close(observed.jacobian, expected, rtol=1e-10, atol=1e-14)
    assert observed.jacobian.abs().max() > 1e-3  # a real test, not zeros against zeros


def test_stress_matches_predictions_and_autograd(fitted):
    model, prepared = fitted
    frame = prepared[2]
    prediction = predict(model, collate([frame]).inputs, {"stress"}, create_graph=True)
    observed = stress_observations(model, frame)
    torch.testing.assert_close(
        observed.values, prediction.stress[0].detach(), rtol=1e-10, atol=1e-16
    )
    expected = reference_jacobian(model, prediction.stress[0])
    torch.testing.assert_close(observed.jacobian, expected, rtol=1e-10, atol=1e-16)


def test_jacobians_match_finite_differences_of_the_weights(fitted):
    model, prepared = fitted
    layout = WeightLayout(model)
    frame = prepared[3]
    atoms, directions = torch.tensor([1, 2]), torch.tensor([2, 0])

    def observe():
        return [
            energy_observations(model, [frame]),
            force_observations(model, frame, atoms, directions),
            stress_observations(model, frame),
        ]

    direction = torch.randn(
        layout.n_weights, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
    )
    h = 1e-5
    analytic = [obs.jacobian @ direction for obs in observe()]
    layout.add_(h * direction)
    plus = [obs.values for obs in observe()]
    layout.add_(-2 * h * direction)
    minus = [obs.values for obs in observe()]
    layout.add_(h * direction)
    for a, p, m in zip(analytic, plus, minus, strict=True):
        torch.testing.assert_close((p - m) / (2 * h), a, rtol=1e-6, atol=1e-9 * a.abs().max())


def test_weight_layout_round_trip(fitted):
    model, _ = fitted
    layout = WeightLayout(model)
    assert layout.n_weights == sum(p.numel() for p in model.networks.parameters())
    before = layout.vector()
    step = torch.arange(layout.n_weights, dtype=torch.float64)
    layout.add_(step)
    torch.testing.assert_close(layout.vector(), before + step)
    layout.add_(-step)
    torch.testing.assert_close(layout.vector(), before, rtol=0, atol=1e-12)
