"""Training with the Kalman filter through the Trainer: learning, n2p2's epoch schedule,
resume after interruption, which structures are used."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter

import pytest
import torch
from training_setup import run_killed_in_epoch, setup

from mlpot.config import KalmanConfig
from mlpot.errors import MlpotError
from mlpot.training.kalman import KalmanUpdater
from mlpot.training.trainer import Trainer

KALMAN = {"name": "kalman", "force_fraction": 0.1, "force_batch": 4, "stress_fraction": 1.0}


def kalman_setup(frames, epochs=5, **changes):
    model, train, val, settings = setup(frames, epochs=epochs)
    kalman = KalmanConfig(**{**KALMAN, **changes})
    return model, train, val, settings.model_copy(update={"optimizer": kalman})


def test_kalman_training_reduces_validation_errors(alni_frames, tmp_path):
    model, train, val, settings = kalman_setup(alni_frames)
    trainer = Trainer(model, train, val, settings, tmp_path)
    before_loss, before = trainer.evaluate(val)
    rows = trainer.run()
    assert rows[-1]["val_loss"] < 0.1 * before_loss
    assert rows[-1]["val_forces_rmse"] < 0.5 * before["forces_rmse"]
    assert rows[-1]["val_stress_rmse"] < 0.5 * before["stress_rmse"]
    assert rows[-1]["kalman_updates"] == 5 * sum(trainer.optimizer.counts.values())
    with open(tmp_path / "log.csv") as handle:
        logged = list(csv.DictReader(handle))
    assert [int(r["epoch"]) for r in logged] == [1, 2, 3, 4, 5]
    assert logged[0]["lr"] == "" and float(logged[0]["kalman_eta"]) > 0.01  # no rate: empty


def test_epoch_schedule_has_n2p2_counts_and_depends_only_on_seed_and_epoch(alni_frames):
    model, train, _, settings = kalman_setup(alni_frames, energy_batch=3)
    updater = KalmanUpdater(model, train, settings.optimizer, seed=0)
    n_components = 3 * sum(f.n_atoms for f in train)  # 20 frames of 4 atoms
    assert updater.counts == {
        "energy": round(len(train) / 3),
        "force": round(0.1 * n_components / 4),
        "stress": len(train),
    }
    schedule = updater.schedule(torch.Generator().manual_seed(7))
    assert Counter(u.kind for u in schedule) == updater.counts
    energy_frames = [n for u in schedule if u.kind == "energy" for n in u.frames]
    assert len(energy_frames) == 3 * updater.counts["energy"] and set(energy_frames) == set(
        range(len(train))
    )
    for update in (u for u in schedule if u.kind == "force"):
        assert len(update.components) == 4 == len(set(update.components.tolist()))
        assert update.components.max() < 3 * train[update.frames[0]].n_atoms
    again = updater.schedule(torch.Generator().manual_seed(7))
    assert [(u.kind, u.frames) for u in again] == [(u.kind, u.frames) for u in schedule]
    other = updater.schedule(torch.Generator().manual_seed(8))
    assert [(u.kind, u.frames) for u in other] != [(u.kind, u.frames) for u in schedule]


def test_structures_without_weight_forces_or_stress_are_left_out(alni_frames):
    model, train, _, settings = kalman_setup(alni_frames)
    train = list(train)
    train[0] = dataclasses.replace(train[0], weight=0.0)
    train[1] = dataclasses.replace(train[1], forces=None)
    train[2] = dataclasses.replace(train[2], stress=None)
    updater = KalmanUpdater(model, train, settings.optimizer, seed=0)
    assert 0 not in updater.energy_frames and 1 in updater.energy_frames
    assert {0, 1} & set(updater.force_frames) == set() and 2 in updater.force_frames
    assert {0, 2} & set(updater.stress_frames) == set() and 1 in updater.stress_frames
    nothing = [dataclasses.replace(f, weight=0.0) for f in train]
    with pytest.raises(MlpotError, match="nothing to update on"):
        KalmanUpdater(model, nothing, settings.optimizer, seed=0)


def test_resume_after_interruption_equals_uninterrupted_run(alni_frames, tmp_path, monkeypatch):
    model, train, val, settings = kalman_setup(alni_frames, epochs=4)
    whole = Trainer(model, train, val, settings, tmp_path / "whole")
    whole.run()
    reference = {k: v.clone() for k, v in model.state_dict().items()}

    model, train, val, settings = kalman_setup(alni_frames, epochs=4)
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path / "split"), 3, monkeypatch)

    fresh, train, val, settings = kalman_setup(alni_frames, epochs=4)
    torch.manual_seed(123)  # a different initialisation: resume must restore everything
    for p in fresh.parameters():
        p.data.normal_()
    trainer = Trainer(fresh, train, val, settings, tmp_path / "split")
    trainer.resume()
    assert (
        trainer.epoch == 2 and trainer.optimizer.filter.updates == whole.rows[1]["kalman_updates"]
    )
    trainer.run()
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, reference[key], rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(
        trainer.optimizer.filter.P, whole.optimizer.filter.P, rtol=1e-10, atol=1e-12
    )


def test_resuming_an_adam_run_with_the_kalman_filter_is_refused(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=1)
    Trainer(model, train, val, settings, tmp_path).run()
    model, train, val, settings = kalman_setup(alni_frames)
    trainer = Trainer(model, train, val, settings, tmp_path)
    with pytest.raises(MlpotError, match="written with another optimizer"):
        trainer.resume()


def test_models_with_neighbour_messages_are_refused(alni_frames, tmp_path):
    from mlpot.models.interaction import InteractionSpec
    from mlpot.models.nnp import NeuralNetworkPotential

    model, train, val, settings = kalman_setup(alni_frames)
    messages = NeuralNetworkPotential(
        model.sfset, model.network_specs, interaction=InteractionSpec(4, 4)
    )
    with pytest.raises(MlpotError, match="neighbour messages .*use adam"):
        Trainer(messages, train, val, settings, tmp_path)
