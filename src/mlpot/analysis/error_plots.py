"""Error plots beyond parity: histograms of signed errors, errors per group, error against
coverage. Units as in errors.QUANTITIES: energy per atom in meV/atom, force and stress
components in eV/Å and GPa."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mlpot.analysis.errors import QUANTITIES, ErrorReport, PairedValues, metric
from mlpot.analysis.output import new_figure, no_data, save_figure
from mlpot.analysis.parity import draw_metric_box
from mlpot.analysis.structure_errors import StructureErrors

STRUCTURE_LABELS = {
    "energy": "|ΔE| per atom (meV/atom)",
    "forces": "force RMSE (eV/Å)",
    "stress": "stress RMSE (GPa)",
}


def plot_error_histograms(pairs: dict[str, PairedValues], path_png: str | Path,
                          title: str = "") -> Path:
    """Histogram of pred - ref for each quantity (log counts), with MAE and RMSE."""
    figure, axes = new_figure(len(QUANTITIES))
    for ax, (name, quantity) in zip(axes, QUANTITIES.items(), strict=True):
        ax.set_title(f"{quantity.label} error")
        ax.set_xlabel(f"predicted - reference ({quantity.error_unit})")
        ax.set_ylabel("count")
        values = pairs[name]
        if len(values.ref) == 0:
            no_data(ax)
            continue
        diff = (values.pred - values.ref) * quantity.error_scale
        ax.hist(diff, bins=min(60, max(10, len(diff) // 5)), color="C0")
        ax.set_yscale("log")
        ax.axvline(0.0, color="black", lw=0.8)
        draw_metric_box(ax, metric(values, quantity))
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)


def plot_group_errors(report: ErrorReport, path_png: str | Path, title: str = "") -> Path:
    """Bar chart of MAE and RMSE per group, one panel per quantity."""
    groups = list(report.groups)
    figure, axes = new_figure(len(QUANTITIES), panel_size=(max(5.0, 0.6 * len(groups) + 2), 4.2))
    x = np.arange(len(groups))
    for ax, (name, quantity) in zip(axes, QUANTITIES.items(), strict=True):
        ax.set_title(f"{quantity.label} by group")
        ax.set_ylabel(f"error ({quantity.error_unit})")
        metrics = [report.groups[g].metrics()[name] for g in groups]
        if all(m is None for m in metrics):
            no_data(ax)
            continue
        mae = [np.nan if m is None else m.mae for m in metrics]
        rmse = [np.nan if m is None else m.rmse for m in metrics]
        ax.bar(x - 0.2, mae, width=0.4, label="MAE", color="C0")
        ax.bar(x + 0.2, rmse, width=0.4, label="RMSE", color="C1")
        ax.set_xticks(x, groups, rotation=30 if len(groups) > 3 else 0, ha="right")
        ax.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)


def plot_error_vs_coverage(errors: StructureErrors, scores: np.ndarray,
                           labels: Sequence[str], path_png: str | Path, title: str = "") -> Path:
    """Per-structure errors against the coverage score (max atom d / threshold), log-log,
    with the threshold at 1."""
    labels = np.asarray(labels)
    finite = scores[np.isfinite(scores) & (scores > 0)]
    ceiling = 10.0 * float(finite.max()) if len(finite) else 10.0
    shown = np.clip(scores, 1e-3, ceiling)
    figure, axes = new_figure(len(QUANTITIES))
    for ax, (name, values) in zip(axes, errors.as_dict().items(), strict=True):
        ax.set_title(f"{QUANTITIES[name].label}: error against coverage")
        ax.set_xlabel("coverage score (max over atoms of d / threshold)")
        ax.set_ylabel(STRUCTURE_LABELS[name])
        has = np.isfinite(values)
        if not has.any():
            no_data(ax)
            continue
        for n, label in enumerate(dict.fromkeys(labels)):
            rows = has & (labels == label)
            ax.scatter(shown[rows], np.maximum(values[rows], 1e-6), s=14, color=f"C{n % 10}",
                       label=label)
        ax.axvline(1.0, color="red", lw=1, ls="--", label="threshold")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)
