"""The end of a training run in words: which epoch's model was kept and why, in run.json too."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch


def best_epoch_summary(model_path: Path, rows: list[dict], epochs: int,
                       rule: str = "lowest") -> dict:
    """{"best_epoch", "best_reason", "epochs_run", "stopped"} of a finished run.

    model_path: the saved model (its metadata holds the epoch); rows: the log rows;
    epochs: the configured number of epochs (fewer rows: early stopping); rule: training.select.
    """
    data = torch.load(model_path, map_location="cpu", weights_only=True)
    best = data.get("metadata", {}).get("epoch")
    row = next((r for r in rows if r["epoch"] == best), None)
    last = rows[-1]["epoch"] if rows else 0
    validated = row is not None and not math.isnan(row["val_loss"])
    if row is None:
        reason = "the model of the last epoch (no epoch improved on the loss)"
    elif rule == "last":
        reason = "the last epoch (training.select: last)"
    elif not validated:
        reason = f"lowest training loss, {row['train_loss']:.4g} (no validation frames)"
    elif rule == "latest_within_se":
        reason = (f"the latest epoch within one standard error of the lowest validation "
                  f"loss, {row['val_loss']:.4g}")
    else:
        reason = f"lowest validation loss, {row['val_loss']:.4g}"
    stopped = "early stopping" if last < epochs else f"all {epochs} epochs"
    return {"best_epoch": best, "best_reason": reason, "epochs_run": last, "stopped": stopped}


def record_summary(path: Path, summary: dict) -> None:
    """Print the summary and add it to the run's run.json at `path`."""
    print(f"best model: epoch {summary['best_epoch']} of {summary['epochs_run']} "
          f"({summary['stopped']}): {summary['best_reason']}")
    info = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**info, **summary}, indent=2))
