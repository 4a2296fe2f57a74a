"""Parity plots (predicted against reference) for energy, forces and stress.

matplotlib is an optional extra (`pip install "mlpot[plot]"`); it is imported only when
a plot is drawn, and figures are rendered with the Agg backend without touching pyplot's
global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np

from mlpot.analysis.errors import (
    QUANTITIES,
    Metric,
    PairedValues,
    Predictions,
    metric,
    paired_values,
)
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError


def require_matplotlib() -> tuple[Any, Any]:
    """Import matplotlib's Figure and Agg canvas, or say which extra to install."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MlpotError(
            'plotting needs matplotlib, which is not installed: pip install "mlpot[plot]"'
        ) from exc
    return Figure, FigureCanvasAgg


def plot_parity(
    frames: Sequence[Frame],
    predictions: Predictions,
    path_png: str | PathLike,
    *,
    title: str = "",
) -> None:
    """Write one PNG with three parity panels, points coloured by Frame.group.

    Panels: energy per atom (eV/atom), force components (eV/Å), stress components (GPa);
    each has the y = x line and its MAE/RMSE (energy errors in meV/atom). A panel without
    data says so.
    """
    figure_cls, canvas_cls = require_matplotlib()
    pairs = paired_values(frames, predictions)
    groups = sorted({frame.group for frame in frames})
    figure = figure_cls(figsize=(15, 5), layout="constrained")
    canvas_cls(figure)
    axes = figure.subplots(1, len(QUANTITIES))
    for ax, name in zip(axes, QUANTITIES, strict=True):
        _panel(ax, name, pairs[name], groups)
    if title:
        figure.suptitle(title)
    figure.savefig(path_png, dpi=120)


def _panel(ax: Any, name: str, pairs: PairedValues, groups: list[str]) -> None:
    quantity = QUANTITIES[name]
    ax.set_title(quantity.label)
    ax.set_xlabel(f"reference ({quantity.unit})")
    ax.set_ylabel(f"predicted ({quantity.unit})")
    if len(pairs.ref) == 0:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return
    for index, group in enumerate(groups):
        selected = pairs.select(group)
        if len(selected.ref):
            ax.scatter(selected.ref, selected.pred, s=6, alpha=0.6, color=f"C{index % 10}",
                       label=group, rasterized=True)
    _diagonal(ax, pairs)
    draw_metric_box(ax, metric(pairs, quantity))
    if len(groups) > 1:
        ax.legend(loc="lower right", markerscale=2, fontsize="small")


def draw_metric_box(ax: Any, error: Metric) -> None:
    """MAE and RMSE in the top-left corner of a panel."""
    ax.text(0.03, 0.97, f"MAE {error.mae:.4g} {error.unit}\nRMSE {error.rmse:.4g} {error.unit}",
            transform=ax.transAxes, va="top", ha="left",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})


def _diagonal(ax: Any, pairs: PairedValues) -> None:
    values = np.concatenate([pairs.ref, pairs.pred])
    low, high = float(values.min()), float(values.max())
    pad = 0.05 * (high - low) or 0.05 * max(abs(high), 1e-3)
    low, high = low - pad, high + pad
    ax.plot([low, high], [low, high], color="black", lw=0.8, zorder=0)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
