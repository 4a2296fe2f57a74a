"""Which epoch's model a run keeps (the rules, the standard error they use, resume), and the
time budget that sets how many epochs there are."""

from __future__ import annotations

import math

import pytest
import torch
from training_setup import DEFAULT_LOSS, run_killed_in_epoch, setup

from mlpot.config.schema import CosineSchedule, FinalLossWeights
from mlpot.errors import MlpotError
from mlpot.models.predict import predict
from mlpot.models.serialization import load_model
from mlpot.training import trainer as trainer_module
from mlpot.training.dataset import collate
from mlpot.training.loss import batch_loss, structure_losses
from mlpot.training.run_summary import best_epoch_summary
from mlpot.training.selection import RULES, EpochSelection
from mlpot.training.time_budget import epochs_within
from mlpot.training.trainer import Trainer, cosine_step

# (loss, standard error) per epoch: the lowest at epoch 2, epochs 4 and 5 within its error,
# epoch 6 beyond it.
CURVE = [(5.0, 1.0), (2.0, 0.5), (3.0, 0.5), (2.4, 0.4), (2.5, 0.3), (2.6, 0.3)]


def kept_epochs(rule: str, min_delta: float = 0.0) -> list[int]:
    selection = EpochSelection(rule, min_delta)
    return [e for e, (loss, se) in enumerate(CURVE, 1) if selection.judge(loss, se)[1]]


def test_rules_keep_the_epochs_they_promise():
    assert kept_epochs("lowest") == [1, 2]
    assert kept_epochs("latest_within_se") == [1, 2, 4, 5]
    assert kept_epochs("last") == [1, 2, 3, 4, 5, 6]
    assert kept_epochs("lowest", min_delta=3.5) == [1]


def test_improvement_counts_for_early_stopping_whatever_the_rule():
    for rule in RULES:
        selection = EpochSelection(rule)
        assert [selection.judge(*point)[0] for point in CURVE] == [1, 1, 0, 0, 0, 0]


def test_restart_forgets_the_lowest_loss():
    selection = EpochSelection("latest_within_se")
    selection.judge(1.0, 0.1)
    selection.restart()
    assert selection.judge(50.0, 1.0) == (True, True)
    assert EpochSelection.from_state(selection.state()) == selection


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown selection rule"):
        EpochSelection("smallest")


def test_structure_losses_average_to_the_batch_loss_for_equal_structures(alni_frames):
    model, train, _, _ = setup(alni_frames)
    size = train[0].n_atoms
    same = [f for f in train if f.n_atoms == size][:4]
    assert len(same) >= 2
    batch = collate(same)
    pred = predict(model, batch.inputs, {"forces", "stress"})
    shares = structure_losses(pred, batch, DEFAULT_LOSS)
    assert shares.shape == (len(same),)
    torch.testing.assert_close(shares.mean(), batch_loss(pred, batch, DEFAULT_LOSS))
    for i, frame in enumerate(same):  # each share is that structure's loss alone
        alone = collate([frame])
        single = batch_loss(predict(model, alone.inputs, {"forces", "stress"}), alone,
                            DEFAULT_LOSS)
        torch.testing.assert_close(shares[i], single)


@pytest.mark.parametrize("rule", ["latest_within_se", "last"])
def test_the_run_keeps_the_model_its_rule_picks_from_the_log(alni_frames, tmp_path, rule):
    model, train, val, settings = setup(alni_frames, epochs=6, select=rule)
    trainer = Trainer(model, train, val, settings, tmp_path)
    rows = trainer.run()
    assert all(math.isfinite(r["val_loss_se"]) and r["val_loss_se"] > 0 for r in rows)
    offline = EpochSelection(rule)
    picked = [r["epoch"] for r in rows if offline.judge(r["val_loss"], r["val_loss_se"])[1]][-1]
    saved = load_model(tmp_path / "model.pt")
    assert saved.metadata["epoch"] == picked
    trainer.model = saved
    assert trainer.evaluate(val)[0] == pytest.approx(rows[picked - 1]["val_loss"], rel=1e-10)
    summary = best_epoch_summary(tmp_path / "model.pt", rows, 6, rule)
    assert summary["best_epoch"] == picked
    assert ("standard error" if rule == "latest_within_se" else "last epoch") in summary[
        "best_reason"]


def test_resume_keeps_the_selection_and_refuses_another_rule(alni_frames, tmp_path, monkeypatch):
    model, train, val, settings = setup(alni_frames, epochs=6, select="latest_within_se")
    Trainer(model, train, val, settings, tmp_path / "whole").run()
    whole = load_model(tmp_path / "whole" / "model.pt").metadata["epoch"]

    model, train, val, settings = setup(alni_frames, epochs=6, select="latest_within_se")
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path / "split"), 4, monkeypatch)
    other = Trainer(model, train, val, settings.model_copy(update={"select": "lowest"}),
                    tmp_path / "split")
    with pytest.raises(MlpotError, match="training.select 'latest_within_se'"):
        other.resume()
    trainer = Trainer(model, train, val, settings, tmp_path / "split")
    trainer.resume()
    trainer.run()
    assert load_model(tmp_path / "split" / "model.pt").metadata["epoch"] == whole


def test_epochs_within_a_budget():
    assert epochs_within(1.0, [20.0, 10.0]) == 5  # 30 s spent, 30 s left at 10 s
    assert epochs_within(0.1, [20.0, 10.0]) == 2  # over budget already: what is done
    assert epochs_within(60.0, [1.0, 1.0]) == 3600
    assert epochs_within(1.0, [1.0, 0.0]) == math.inf
    assert epochs_within(1.0, [30.0, 5.0, 10.0, 6.0]) == 5  # 9 s left at the mean, 7 s


def epoch_clock(seconds: list[float]):
    """A stand-in for time.perf_counter read at the start and end of each epoch: epoch k
    takes seconds[k - 1] (the last value from then on)."""
    state = {"now": 0.0, "calls": 0}

    def clock() -> float:
        if state["calls"] % 2:
            epoch = state["calls"] // 2
            state["now"] += seconds[min(epoch, len(seconds) - 1)]
        state["calls"] += 1
        return state["now"]

    return clock


def test_a_time_budget_cuts_the_epochs_and_resume_keeps_the_cut(alni_frames, tmp_path,
                                                                monkeypatch):
    seconds = iter(range(10_000))
    monkeypatch.setattr(trainer_module.time, "perf_counter", lambda: 30.0 * next(seconds))
    model, train, val, settings = setup(alni_frames, epochs=50, max_minutes=2.5)
    settings = settings.model_copy(update={"schedule": CosineSchedule(name="cosine",
                                                                      min_lr=1e-5)})
    run_killed_in_epoch(Trainer(model, train, val, settings, tmp_path), 4, monkeypatch)
    trainer = Trainer(model, train, val, settings, tmp_path)
    trainer.resume()
    assert trainer.settings.epochs == 5  # 30 s per epoch in 150 s
    rows = trainer.run()
    assert [r["epoch"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[-1]["lr"] == pytest.approx(1e-5)  # the cosine ends at the cut


def test_later_checks_fit_the_epochs_to_a_faster_pace(alni_frames, tmp_path, monkeypatch):
    monkeypatch.setattr(trainer_module.time, "perf_counter", epoch_clock([30.0, 30.0, 10.0]))
    model, train, val, settings = setup(alni_frames, epochs=50, max_minutes=5.0)
    settings = settings.model_copy(update={"schedule": CosineSchedule(name="cosine",
                                                                      min_lr=1e-5)})
    rows = Trainer(model, train, val, settings, tmp_path).run()
    # epoch 2: 60 s spent, 240 s left at 30 s: 10 epochs; epoch 10: 140 s spent, 160 s left
    # at the mean after the first, 110 / 9 s: 23; epoch 20: 60 s left at 210 / 19 s: 25
    assert len(rows) == 25 and sum(r["time_s"] for r in rows) == pytest.approx(290.0)
    assert rows[-1]["lr"] == pytest.approx(1e-5)
    # after each check the rate is the cosine set for the new count from the start (epoch e
    # runs at schedule step e - 1): at epoch 10 the cut to 10 epochs had reached min_lr, and
    # the 13 epochs more get the rates a 23-epoch cosine has there
    for check, epochs in ((2, 10), (10, 23), (20, 25)):
        for e in range(check + 1, min(check + 10, epochs) + 1):
            expected = 1e-5 + (5e-3 - 1e-5) * (1 + math.cos(math.pi * (e - 1) / (epochs - 1))) / 2
            assert rows[e - 1]["lr"] == pytest.approx(expected, rel=1e-9)


def test_a_resumed_cosine_keeps_its_phase():
    def cosine(step, last):
        return 1e-5 + (5e-3 - 1e-5) * (1 + math.cos(math.pi * step / last)) / 2
    # on the curve itself the step reproduces it; from another count's rate it keeps the shape
    assert cosine_step(cosine(9, 29), 10, 29, 1e-5) == pytest.approx(cosine(10, 29), rel=1e-12)
    rate = cosine_step(cosine(9, 19), 10, 29, 1e-5)
    assert rate < cosine(9, 19)
    assert cosine_step(rate, 29, 29, 1e-5) == pytest.approx(1e-5)  # min_lr at the new end


def test_a_later_check_cuts_the_epochs_when_they_slow_down(alni_frames, tmp_path, monkeypatch):
    monkeypatch.setattr(trainer_module.time, "perf_counter", epoch_clock([10.0] * 10 + [20.0]))
    model, train, val, settings = setup(alni_frames, epochs=100, max_minutes=5.0)
    rows = Trainer(model, train, val, settings, tmp_path).run()
    # 30 epochs fit at 10 s; by epoch 20 the 300 s are spent
    assert len(rows) == 20 and sum(r["time_s"] for r in rows) == pytest.approx(300.0)


def test_the_checks_never_go_past_the_epochs_asked_for(alni_frames, tmp_path, monkeypatch):
    monkeypatch.setattr(trainer_module.time, "perf_counter", epoch_clock([30.0, 30.0, 1.0]))
    model, train, val, settings = setup(alni_frames, epochs=20, max_minutes=5.0)
    assert len(Trainer(model, train, val, settings, tmp_path).run()) == 20


def test_a_later_check_leaves_a_begun_final_stage_in_place(alni_frames, tmp_path,
                                                           monkeypatch):
    monkeypatch.setattr(trainer_module.time, "perf_counter", epoch_clock([30.0, 30.0, 10.0]))
    final = DEFAULT_LOSS.model_copy(update={"final": FinalLossWeights(start=0.5, energy=5.0)})
    model, train, val, settings = setup(alni_frames, epochs=50, loss=final, max_minutes=5.0)
    trainer = Trainer(model, train, val, settings, tmp_path)
    rows = trainer.run()
    assert len(rows) == 10 and trainer.final_loss_epoch == 6  # cut at epoch 2, begun at 6
