"""GDF force weighting: the density, the weights, and their use in the loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from training_setup import DEFAULT_LOSS, setup

from mlpot.config import CosineSchedule, LossWeights, OptimizerConfig, TrainConfig
from mlpot.models.predict import predict
from mlpot.training.dataset import collate
from mlpot.training.gdf import assign_gdf_weights, gdf_density, gdf_weights, minmax_scaled
from mlpot.training.loss import batch_loss
from mlpot.training.trainer import Trainer


def test_density_matches_the_definition():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4))
    species = np.array([0] * 20 + [1] * 10)
    sigma = 0.3
    density = gdf_density(x, species, sigma)
    for i in (0, 7, 25):
        same = x[species == species[i]]
        d2 = ((same - x[i]) ** 2).sum(1)
        expected = np.exp(-d2 / (2 * sigma**2 * x.shape[1])).mean()
        assert density[i] == pytest.approx(expected, rel=1e-12)


def test_rare_environment_gets_the_largest_weight():
    crowd = np.zeros((50, 3)) + np.random.default_rng(1).normal(0, 0.01, (50, 3))
    x = np.vstack([crowd, [[1.0, 1.0, 1.0]]])
    species = np.zeros(51, dtype=int)
    weights = gdf_weights(gdf_density(x, species, 0.05), species, cap=1000.0)
    assert weights.mean() == pytest.approx(1.0)
    assert weights.argmax() == 50
    assert weights[50] > 20 * weights[:50].max()


def test_cap_limits_weights_and_keeps_the_mean_per_element():
    density = np.array([1.0, 1.0, 1.0, 1e-6, 0.5, 0.5, 1e-3])
    species = np.array([0, 0, 0, 0, 1, 1, 1])
    weights = gdf_weights(density, species, cap=2.0)
    for element in (0, 1):
        w = weights[species == element]
        assert w.mean() == pytest.approx(1.0)
        assert w.max() <= 2.0 + 1e-9


def test_minmax_scaling_per_element():
    x = np.array([[0.0, 5.0], [2.0, 5.0], [10.0, 1.0], [20.0, 3.0]])
    scaled = minmax_scaled(x, np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(scaled, [[0, 0], [1, 0], [0, 0], [1, 1]])


def test_weights_enter_the_force_loss(alni_frames):
    model, train, _, _ = setup(alni_frames)
    weights = assign_gdf_weights(train, sigma=0.05, cap=5.0)
    assert len(weights) == sum(p.n_atoms for p in train)
    batch = collate(train[:4])
    pred = predict(model, batch.inputs, {"forces"})
    loss = batch_loss(pred, batch, LossWeights(energy=0.0, forces=1.0, stress=0.0))
    err2 = ((pred.forces - batch.forces) ** 2).mean(1)
    w = batch.force_weight
    assert torch.equal(w, torch.cat([p.force_weights for p in train[:4]]))
    assert float(loss) == pytest.approx(float((w * err2).sum() / w.sum()), rel=1e-12)


def test_config_accepts_gdf_and_cosine():
    config = TrainConfig.model_validate({
        "data": {"train": [{"name": "a", "files": ["x.xyz"]}]},
        "training": {"gdf": {"sigma": 0.05}, "schedule": {"name": "cosine", "min_lr": 1e-5}},
    })
    assert config.training.gdf.sigma == 0.05
    assert config.training.gdf.cap == 10.0
    assert config.training.schedule.name == "cosine"


def test_cosine_schedule_reaches_min_lr_at_the_last_epoch(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=5, loss=DEFAULT_LOSS)
    settings = settings.model_copy(update={
        "schedule": CosineSchedule(name="cosine", min_lr=1e-4),
        "optimizer": OptimizerConfig(lr=1e-2),
    })
    rows = Trainer(model, train, val, settings, tmp_path).run()
    lrs = [row["lr"] for row in rows]
    assert lrs[0] == pytest.approx(1e-2)
    assert lrs[-1] == pytest.approx(1e-4)
    assert all(a > b for a, b in zip(lrs[:-1], lrs[1:], strict=True))
