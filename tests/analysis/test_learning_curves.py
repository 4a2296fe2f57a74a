"""Learning curves: reading log.csv (written here and by a real training run), best epoch and
statistics, the plot, and messages for damaged logs."""

import csv
import json
import math

import numpy as np
import pytest
from analysis_fixtures import fcc_frames, fitted_model

from mlpot.analysis.learning_curves import learning_summary, read_training_log
from mlpot.errors import MlpotError

pytest.importorskip("matplotlib")

from mlpot.analysis.learning_curves import analyze_learning_curve  # noqa: E402

COLUMNS = ["epoch", "lr", "train_loss", "val_loss"] + [
    f"{split}_{q}_{stat}" for split in ("train", "val") for q in ("energy", "forces", "stress")
    for stat in ("mae", "rmse")
] + ["time_s"]


def _write_log(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _row(epoch, val_loss, with_validation=True):
    row = dict.fromkeys(COLUMNS, 1.0 / epoch)
    row.update(epoch=epoch, lr=1e-3, val_loss=val_loss, time_s=0.1)
    for key in COLUMNS:
        if key.startswith("val_") and not with_validation:
            row[key] = math.nan
        if "stress" in key:
            row[key] = ""  # no stress labels: empty cells
    return row


def test_summary_of_a_written_log(tmp_path):
    losses = [0.9, 0.5, 0.3, 0.35, 0.4]
    _write_log(tmp_path / "log.csv", [_row(e, v) for e, v in enumerate(losses, start=1)])
    summary, written = analyze_learning_curve(tmp_path, tmp_path / "out")
    assert [p.name for p in written] == ["learning_curve.json", "learning_curve.png"]
    assert written[1].stat().st_size > 20_000
    saved = json.loads(written[0].read_text())
    assert saved["n_epochs"] == 5 and saved["best_epoch"] == 3 and saved["best_by"] == "val_loss"
    energy = saved["metrics"]["val_energy_rmse"]
    assert energy == {"final": pytest.approx(1 / 5), "lowest": pytest.approx(1 / 5),
                      "at_best_epoch": pytest.approx(1 / 3)}
    assert not any("stress" in key for key in saved["metrics"])
    assert saved["units"]["energy"] == "meV/atom"


def test_the_kept_model_of_run_json_marks_the_best_epoch(tmp_path):
    losses = [0.9, 0.5, 0.3, 0.35, 0.31]
    _write_log(tmp_path / "log.csv", [_row(e, v) for e, v in enumerate(losses, start=1)])
    (tmp_path / "run.json").write_text(json.dumps({"best_epoch": 5}))
    summary, _ = analyze_learning_curve(tmp_path, tmp_path / "out")
    assert summary["best_epoch"] == 5 and summary["best_by"] == "kept model (run.json)"
    assert summary["metrics"]["val_loss"]["at_best_epoch"] == pytest.approx(0.31)


def test_without_validation_the_training_loss_decides(tmp_path):
    rows = [_row(e, math.nan, with_validation=False) for e in (1, 2, 3)]
    _write_log(tmp_path / "log.csv", rows)
    summary = learning_summary(read_training_log(tmp_path / "log.csv"))
    assert summary["best_by"] == "train_loss" and summary["best_epoch"] == 3
    assert "val_energy_mae" not in summary["metrics"]


def test_log_of_a_training_run(tmp_path):
    import torch

    from mlpot.config import LossWeights, OptimizerConfig, PlateauSchedule, TrainingConfig
    from mlpot.training.dataset import prepare_frames
    from mlpot.training.trainer import Trainer

    frames = fcc_frames(8, seed=0)
    model = fitted_model(frames)
    train = prepare_frames(frames[:6], model, torch.float64, ["fcc"], progress=False)
    val = prepare_frames(frames[6:], model, torch.float64, ["fcc"], progress=False)
    settings = TrainingConfig(
        epochs=3, batch_size=3, optimizer=OptimizerConfig(lr=1e-2), schedule=PlateauSchedule(),
        loss=LossWeights(energy=1.0, forces=1.0, stress=0.0), ema_decay=None,
    )
    rows = Trainer(model, train, val, settings, tmp_path / "run").run()
    summary, _ = analyze_learning_curve(tmp_path / "run", tmp_path / "out")
    best = int(np.argmin([r["val_loss"] for r in rows]))
    assert summary["n_epochs"] == 3 and summary["best_epoch"] == rows[best]["epoch"]
    for key in ("train_forces_rmse", "val_energy_mae", "val_stress_rmse"):
        assert summary["metrics"][key]["final"] == pytest.approx(rows[-1][key])


def test_damaged_logs_name_file_and_line(tmp_path):
    with pytest.raises(MlpotError, match="log.csv.*does not exist"):
        read_training_log(tmp_path)
    log = tmp_path / "log.csv"
    log.write_text("a,b\n1,2\n")
    with pytest.raises(MlpotError, match="line 1: no header with an 'epoch' column"):
        read_training_log(log)
    log.write_text("epoch,train_loss\n")
    with pytest.raises(MlpotError, match="no epochs logged"):
        read_training_log(log)
    log.write_text("epoch,train_loss\n1,0.5\n2,abc\n")
    with pytest.raises(MlpotError, match=r"line 3: column 'train_loss' holds 'abc'"):
        read_training_log(log)
    log.write_text("epoch,train_loss\n1,0.5\n2\n")
    with pytest.raises(MlpotError, match="line 3: 1 values for 2 columns"):
        read_training_log(log)
