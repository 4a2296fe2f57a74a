"""The training loop: learning, checkpoints, resume after interruption, continuing a model."""

from __future__ import annotations

import csv

import pytest
import torch
from training_setup import DEFAULT_LOSS, loss, run_killed_in_epoch, setup, staged

from mlpot.config import OptimizerConfig, PlateauSchedule
from mlpot.models.serialization import load_model
from mlpot.training.trainer import Trainer


def test_training_reduces_validation_errors(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=15)
    trainer = Trainer(model, train, val, settings, tmp_path)
    before_loss, before = trainer.evaluate(val)
    rows = trainer.run()
    assert len(rows) == 15
    assert rows[-1]["val_loss"] < 0.5 * before_loss
    assert rows[-1]["val_energy_rmse"] < before["energy_rmse"]
    with open(tmp_path / "log.csv") as handle:
        logged = list(csv.DictReader(handle))
    assert [int(r["epoch"]) for r in logged] == list(range(1, 16))
    for key in ("train_energy_mae", "val_energy_rmse", "val_forces_mae", "val_stress_rmse"):
        assert key in logged[0]
    assert (tmp_path / "model.pt").is_file() and (tmp_path / "checkpoints" / "latest.pt").is_file()


def test_force_only_loss_learns_forces(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=10, loss=loss(0, 1, 0))
    settings = settings.model_copy(update={"optimizer": OptimizerConfig(lr=1e-2), "batch_size": 2})
    trainer = Trainer(model, train, val, settings, tmp_path)
    _, before = trainer.evaluate(val)
    rows = trainer.run()
    assert rows[-1]["val_forces_rmse"] < 0.5 * before["forces_rmse"]


def test_resume_after_interruption_equals_uninterrupted_run(alni_frames, tmp_path, monkeypatch):
    model, train, val, settings = setup(alni_frames)
    Trainer(model, train, val, settings, tmp_path / "whole").run()
    reference = {k: v.clone() for k, v in model.state_dict().items()}

    model, train, val, settings = setup(alni_frames)
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path / "split"), 4, monkeypatch)

    fresh, train, val, settings = setup(alni_frames)
    torch.manual_seed(123)  # a different initialisation: resume must restore everything
    for p in fresh.parameters():
        p.data.normal_()
    trainer = Trainer(fresh, train, val, settings, tmp_path / "split")
    trainer.resume()
    assert trainer.epoch == 3
    trainer.run()
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, reference[key], rtol=1e-10, atol=1e-12)
    with open(tmp_path / "split" / "log.csv") as handle:
        assert [int(r["epoch"]) for r in csv.DictReader(handle)] == list(range(1, 7))


def test_best_model_file_is_the_lowest_validation_loss(alni_frames, tmp_path):
    model, train, val, settings = setup(alni_frames, epochs=5, select="lowest")
    trainer = Trainer(model, train, val, settings, tmp_path)
    rows = trainer.run()
    best_epoch = min(rows, key=lambda r: r["val_loss"])["epoch"]
    saved = load_model(tmp_path / "model.pt")
    assert saved.metadata["epoch"] == best_epoch
    trainer.model = saved
    assert trainer.evaluate(val)[0] == pytest.approx(rows[best_epoch - 1]["val_loss"], rel=1e-10)


def test_final_loss_stage_switches_coefficients_and_chooses_the_best_within_it(
    alni_frames, tmp_path
):
    final = loss(1.0, 100.0, 0.1)  # stage-two losses far above stage one's
    model, train, val, settings = setup(alni_frames, epochs=6, select="lowest",
                                        loss=staged(DEFAULT_LOSS, final, 0.5))  # from epoch 4
    trainer = Trainer(model, train, val, settings, tmp_path)
    rows = trainer.run()
    saved = load_model(tmp_path / "model.pt")
    assert saved.metadata["epoch"] >= 4  # stage-one losses are on another scale
    best_epoch = min(rows[3:], key=lambda r: r["val_loss"])["epoch"]
    assert saved.metadata["epoch"] == best_epoch
    trainer.model = saved
    assert trainer.evaluate(val)[0] == pytest.approx(rows[best_epoch - 1]["val_loss"], rel=1e-10)
    # the final-stage validation loss is the one with the final coefficients
    default_only = Trainer(saved, train, val, settings.model_copy(update={"loss": DEFAULT_LOSS}),
                           tmp_path / "other")
    assert default_only.evaluate(val)[0] < trainer.evaluate(val)[0]


def test_final_loss_stage_restarts_the_plateau_schedule(alni_frames, tmp_path):
    final = loss(1.0, 100.0, 0.1)  # stage-two losses far above stage one's
    model, train, val, settings = setup(alni_frames, epochs=6,
                                        loss=staged(DEFAULT_LOSS, final, 0.5))  # from epoch 4
    settings = settings.model_copy(update={"schedule": PlateauSchedule(factor=0.5, patience=1)})
    trainer = Trainer(model, train, val, settings, tmp_path)
    trainer.run()
    scheduler = trainer.scheduler
    stage_two = [r["val_loss"] for r in trainer.rows[3:]]
    assert scheduler.best == min(stage_two)  # not the smaller stage-one losses


def test_final_loss_stage_from_the_first_epoch_trains_as_its_coefficients(alni_frames, tmp_path):
    final = loss(1.0, 100.0, 0.1)
    two_stage, train, val, settings = setup(alni_frames, epochs=3,
                                            loss=staged(DEFAULT_LOSS, final, 0.1))  # from epoch 1
    Trainer(two_stage, train, val, settings, tmp_path / "staged").run()
    plain, train, val, settings = setup(alni_frames, epochs=3, loss=final)
    Trainer(plain, train, val, settings, tmp_path / "plain").run()
    for key, value in two_stage.state_dict().items():
        torch.testing.assert_close(value, plain.state_dict()[key], rtol=0, atol=0)


@pytest.mark.parametrize("reset", [False, True])
def test_final_loss_stage_can_start_the_optimiser_afresh(alni_frames, tmp_path, reset):
    stages = staged(DEFAULT_LOSS, loss(100.0, 1.0, 0.1), 0.5, reset_optimizer=reset)
    model, train, val, settings = setup(alni_frames, epochs=6, loss=stages)  # stage: epoch 4
    trainer = Trainer(model, train, val, settings, tmp_path)
    trainer.run()
    steps_per_epoch = -(-len(train) // settings.batch_size)
    counted = {int(state["step"]) for state in trainer.optimizer.state.values()}
    assert counted == {steps_per_epoch * (3 if reset else 6)}


def test_resume_in_a_stage_that_reset_the_optimiser_equals_the_whole_run(
    alni_frames, tmp_path, monkeypatch
):
    stages = staged(DEFAULT_LOSS, loss(100.0, 1.0, 0.1), 0.5, reset_optimizer=True)
    model, train, val, settings = setup(alni_frames, epochs=6, loss=stages)
    Trainer(model, train, val, settings, tmp_path / "whole").run()
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    model, train, val, settings = setup(alni_frames, epochs=6, loss=stages)
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path / "split"), 5, monkeypatch)
    fresh, train, val, settings = setup(alni_frames, epochs=6, loss=stages)
    trainer = Trainer(fresh, train, val, settings, tmp_path / "split")
    trainer.resume()
    trainer.run()
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, reference[key], rtol=1e-10, atol=1e-12)
