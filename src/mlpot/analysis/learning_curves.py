"""Learning curves from a training run's log.csv (one row per epoch, written by the trainer).

Columns used: epoch, lr, train_loss, val_loss and {train,val}_{energy,forces,stress}_{mae,rmse}
in meV/atom, eV/Å and GPa (training.metrics). Empty cells and "nan" (no validation set, no
stress labels) are NaN and left out of the plots and statistics.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from mlpot.analysis.output import new_figure, no_data, save_figure
from mlpot.errors import MlpotError

QUANTITIES = {"energy": "meV/atom", "forces": "eV/Å", "stress": "GPa"}
SPLITS = ("train", "val")
STATS = ("mae", "rmse")


def log_path(path: str | Path) -> Path:
    """The log.csv of a run directory, or path itself when it is a file."""
    path = Path(path)
    log = path / "log.csv" if path.is_dir() else path
    if not log.is_file():
        raise MlpotError(f"'{log}' does not exist: pass a training run directory that holds "
                         "log.csv, or the log.csv file itself")
    return log


def read_training_log(path: str | Path) -> dict[str, np.ndarray]:
    """{column: (epochs,) float array} of a log.csv (or of a run directory's log.csv)."""
    log = log_path(path)
    with open(log, newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or "epoch" not in rows[0]:
        raise MlpotError(f"'{log}', line 1: no header with an 'epoch' column; is this the "
                         "log.csv of an mlpot training run?")
    header, body = rows[0], rows[1:]
    if not body:
        raise MlpotError(f"'{log}': no epochs logged yet; train for at least one epoch")
    columns = {name: np.empty(len(body)) for name in header}
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise MlpotError(f"'{log}', line {line}: {len(row)} values for {len(header)} "
                             "columns; the file is damaged (rerun or resume the training)")
        for name, text in zip(header, row, strict=True):
            columns[name][line - 2] = _number(text, log, line, name)
    return columns


def _number(text: str, log: Path, line: int, column: str) -> float:
    if text.strip() == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise MlpotError(f"'{log}', line {line}: column '{column}' holds {text!r}, not a "
                         "number; the file is damaged (rerun or resume the training)") from None


def _finite(values: np.ndarray | None) -> bool:
    return values is not None and bool(np.isfinite(values).any())


def best_epoch_index(log: dict[str, np.ndarray], kept: int | None = None) -> int:
    """Row of the best epoch: the kept model's epoch where known (run.json), else the lowest
    validation loss, or training loss without validation."""
    if kept is not None and kept in log["epoch"]:
        return int(np.flatnonzero(log["epoch"] == kept)[0])
    for key in ("val_loss", "train_loss"):
        if _finite(log.get(key)):
            return int(np.nanargmin(log[key]))
    return len(log["epoch"]) - 1


def learning_summary(log: dict[str, np.ndarray], kept: int | None = None) -> dict:
    """Epochs, best epoch, and for every logged metric its final, lowest and best-epoch value."""
    best = best_epoch_index(log, kept)
    metrics = {}
    for name in ("train_loss", "val_loss", *_metric_columns(log)):
        values = log.get(name)
        if _finite(values):
            metrics[name] = {"final": values[-1], "lowest": float(np.nanmin(values)),
                             "at_best_epoch": values[best]}
    return {
        "n_epochs": len(log["epoch"]),
        "best_epoch": int(log["epoch"][best]),
        "best_by": _best_by(log, kept),
        "units": dict(QUANTITIES),
        "metrics": metrics,
    }


def _best_by(log: dict[str, np.ndarray], kept: int | None) -> str:
    if kept is not None and kept in log["epoch"]:
        return "kept model (run.json)"
    return "val_loss" if _finite(log.get("val_loss")) else "train_loss"


def kept_epoch(log_file: Path) -> int | None:
    """The epoch of the run's kept model, from run.json beside the log (None without one)."""
    info = log_file.parent / "run.json"
    if not info.exists():
        return None
    epoch = json.loads(info.read_text()).get("best_epoch")
    return epoch if isinstance(epoch, int) else None


def _metric_columns(log: dict[str, np.ndarray]) -> list[str]:
    return [f"{split}_{q}_{stat}" for q in QUANTITIES for split in SPLITS for stat in STATS
            if f"{split}_{q}_{stat}" in log]


def plot_learning_curves(log: dict[str, np.ndarray], path_png: str | Path,
                         title: str = "", kept: int | None = None) -> Path:
    """Loss (with the learning rate) and MAE/RMSE of each quantity per epoch, log-scale y."""
    figure, axes = new_figure(1 + len(QUANTITIES), panel_size=(5.5, 4.2), columns=2)
    epoch, best = log["epoch"], log["epoch"][best_epoch_index(log, kept)]
    _loss_panel(axes[0], log)
    for ax, (quantity, unit) in zip(axes[1:], QUANTITIES.items(), strict=True):
        ax.set_title(f"{quantity} error")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"error ({unit})")
        drawn = False
        for colour, split in enumerate(SPLITS):
            for style, stat in (("--", "mae"), ("-", "rmse")):
                values = log.get(f"{split}_{quantity}_{stat}")
                if _finite(values):
                    ax.plot(epoch, values, style, color=f"C{colour}",
                            label=f"{'validation' if split == 'val' else split} {stat.upper()}")
                    drawn = True
        if not drawn:
            no_data(ax, f"no {quantity} errors logged")
            continue
        ax.set_yscale("log")
        ax.axvline(best, color="grey", lw=0.8, ls=":", label="best epoch")
        ax.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)


def _loss_panel(ax, log: dict[str, np.ndarray]) -> None:
    ax.set_title("loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    for colour, split in enumerate(SPLITS):
        values = log.get(f"{split}_loss")
        if _finite(values):
            ax.plot(log["epoch"], values, color=f"C{colour}",
                    label="validation" if split == "val" else split)
    ax.set_yscale("log")
    if _finite(log.get("lr")):
        twin = ax.twinx()
        twin.plot(log["epoch"], log["lr"], color="grey", lw=0.8, ls="-.", label="learning rate")
        twin.set_yscale("log")
        twin.set_ylabel("learning rate")
        twin.legend(loc="lower left", fontsize="small")
    ax.legend(loc="upper right", fontsize="small")


def analyze_learning_curve(path: str | Path, out: str | Path) -> tuple[dict, list[Path]]:
    """Write learning_curve.png and learning_curve.json for a run directory or its log.csv."""
    from mlpot.analysis.output import write_json

    log_file = log_path(path)
    log = read_training_log(log_file)
    kept = kept_epoch(log_file)
    summary = {"log": str(log_file), **learning_summary(log, kept)}
    out = Path(out)
    written = [
        write_json(out / "learning_curve.json", summary),
        plot_learning_curves(log, out / "learning_curve.png", title=str(log_file), kept=kept),
    ]
    return summary, written
