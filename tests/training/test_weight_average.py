"""training.ema_decay: the weights' moving average is validated, saved and resumed."""

from __future__ import annotations

import pytest
import torch
from training_setup import run_killed_in_epoch, setup

from mlpot.config import ConfigError, load_config
from mlpot.errors import MlpotError
from mlpot.models.serialization import load_model
from mlpot.training.trainer import Trainer

DECAY = 0.7  # the warm-up's (1 + n) / (10 + n) reaches it at step 20


def test_average_is_the_warmed_up_exponential_moving_average_of_every_step(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=6, ema_decay=DECAY)
    trainer = Trainer(model, train, val, settings, tmp_path)
    snapshots = []

    def record(optimizer, args, kwargs):
        snapshots.append([p.detach().clone() for p in model.parameters()])

    trainer.optimizer.register_step_post_hook(record)
    trainer.run()
    assert len(snapshots) == 6 * 5  # 20 structures in batches of 4, six epochs
    expected = snapshots[0]
    for n, weights in enumerate(snapshots[1:], start=1):
        d = min(DECAY, (1 + n) / (10 + n))
        expected = [d * a + (1 - d) * w for a, w in zip(expected, weights, strict=True)]
    averaged = list(trainer.average.module.parameters())
    for a, e, w in zip(averaged, expected, model.parameters(), strict=True):
        torch.testing.assert_close(a, e, rtol=1e-12, atol=1e-14)
        assert not torch.allclose(a, w)


def test_validation_and_saved_model_are_the_average(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=4, ema_decay=DECAY, select="lowest")
    trainer = Trainer(model, train, val, settings, tmp_path)
    rows = trainer.run()
    assert rows[-1]["val_loss"] == pytest.approx(trainer.evaluate(val)[0], rel=1e-12)
    best = min(rows, key=lambda r: r["val_loss"])
    saved = load_model(tmp_path / "model.pt")
    assert saved.metadata["epoch"] == best["epoch"]
    trainer.average.module.load_state_dict(saved.state_dict())
    assert trainer.evaluate(val)[0] == pytest.approx(best["val_loss"], rel=1e-10)


def test_resume_restores_the_average(alni_frames, tmp_path, monkeypatch):
    model, train, val, settings = setup(alni_frames, ema_decay=DECAY)
    whole = Trainer(model, train, val, settings, tmp_path / "whole")
    whole.run()
    reference = {k: v.clone() for k, v in whole.average.module.state_dict().items()}

    model, train, val, settings = setup(alni_frames, ema_decay=DECAY)
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path / "split"), 4, monkeypatch)

    fresh, train, val, settings = setup(alni_frames, ema_decay=DECAY)
    trainer = Trainer(fresh, train, val, settings, tmp_path / "split")
    trainer.resume()
    trainer.run()
    for key, value in trainer.average.module.state_dict().items():
        torch.testing.assert_close(value, reference[key], rtol=1e-10, atol=1e-12)


def test_resuming_a_run_without_average_with_one_is_refused(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=1)
    Trainer(model, train, val, settings, tmp_path).run()
    model, train, val, settings = setup(alni_frames, epochs=2, ema_decay=DECAY)
    trainer = Trainer(model, train, val, settings, tmp_path)
    with pytest.raises(MlpotError, match="without a moving average.*ema_decay: null"):
        trainer.resume()


HEAD = "data:\n  train: [{name: si, files: [train.xyz]}]\ntraining:\n  epochs: 10\n"


def load(tmp_path, lines: str):
    path = tmp_path / "config.yaml"
    path.write_text(HEAD + lines)
    return load_config(path)


def test_config_ema_decay_defaults(tmp_path):
    assert load(tmp_path, "").training.ema_decay == 0.999
    assert load(tmp_path, "  ema_decay: 0.99\n").training.ema_decay == 0.99
    assert load(tmp_path, "  ema_decay: null\n").training.ema_decay is None
    assert load(tmp_path, "  optimizer: {name: kalman}\n").training.ema_decay is None


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ("  ema_decay: 1.0\n", "must be < 1"),
        ("  ema_decay: 0.99\n  optimizer: {name: kalman}\n", "needs adam or adamw"),
    ],
)
def test_invalid_ema_decay_names_the_key(tmp_path, lines, words):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, lines)
    (problem,) = info.value.problems
    assert problem.key == "training.ema_decay"
    assert words in problem.message
