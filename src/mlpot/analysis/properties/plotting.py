"""Figures of the property checks: the model in one colour, its reference in another.

matplotlib is imported only when a figure is drawn (Agg canvas, no pyplot state).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlpot.files import atomic_path

MODEL_COLOR = "C0"
REFERENCE_COLOR = "C3"


def new_figure(ncols: int = 1, width: float = 6.0, height: float = 4.5) -> tuple[Any, list[Any]]:
    """A figure with ncols panels side by side, and the list of their axes."""
    from mlpot.analysis.parity import require_matplotlib

    figure_cls, canvas_cls = require_matplotlib()
    figure = figure_cls(figsize=(width * ncols, height), layout="constrained")
    canvas_cls(figure)
    axes = figure.subplots(1, ncols, squeeze=False)[0]
    return figure, list(axes)


def save(figure: Any, path: str | Path) -> Path:
    """Write the figure as PNG atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=120)
    return Path(path)


def grouped_bars(
    ax: Any, names: list[str], series: dict[str, tuple[list[float], str]], unit: str
) -> None:
    """Bars of several series (label -> (values, colour)) side by side for each name."""
    import numpy as np

    width = 0.8 / max(len(series), 1)
    positions = np.arange(len(names))
    for k, (label, (values, color)) in enumerate(series.items()):
        bars = ax.bar(
            positions + (k - (len(series) - 1) / 2) * width, values, width, color=color, label=label
        )
        ax.bar_label(bars, fmt="%.3g", fontsize="small")
    ax.set_xticks(positions, names)
    ax.set_ylabel(unit)
    ax.margins(y=0.2)  # room for the bar labels and the legend
    ax.legend(fontsize="small", loc="upper right")


def summary_series(comparison: Any, names: list[str]) -> dict[str, tuple[list[float], str]]:
    """grouped_bars series of the summary numbers names: the model's and the reference's
    (NaN, drawn as no bar, where the reference has no such number)."""
    model = comparison.model.summary()
    series = {f"model {comparison.model_label}": ([model[name] for name in names], MODEL_COLOR)}
    reference = comparison.reference_summary()
    if reference is not None:
        values = [reference.get(name, float("nan")) for name in names]
        series[f"reference {comparison.reference_label}"] = (values, REFERENCE_COLOR)
    return series
