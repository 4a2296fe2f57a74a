"""Writing analysis results: JSON of the numbers and PNG figures, each written atomically.

JSON holds plain numbers: numpy scalars and arrays become Python numbers and lists, and values
that are not finite (NaN, inf: "no data", "no training environment") become null.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from mlpot.files import atomic_path, write_text_atomically


def plain(value: Any) -> Any:
    """value with numpy types converted and non-finite floats replaced by None, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: str | Path, data: dict) -> Path:
    """Write data (see plain) as indented JSON via a temporary file and a rename."""
    return write_text_atomically(path, json.dumps(plain(data), indent=2, allow_nan=False) + "\n")


def save_figure(figure: Any, path: str | Path, dpi: int = 120) -> Path:
    """Save a matplotlib Figure as PNG via a temporary file and a rename."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=dpi)
    return Path(path)


def new_figure(n_panels: int, *, panel_size: tuple[float, float] = (5.0, 4.2), columns: int = 3):
    """(figure, flat list of n_panels axes) on the Agg canvas; spare grid cells are hidden."""
    from mlpot.analysis.parity import require_matplotlib

    figure_cls, canvas_cls = require_matplotlib()
    n_cols = max(1, min(columns, n_panels))
    n_rows = -(-n_panels // n_cols)
    figure = figure_cls(
        figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows), layout="constrained"
    )
    canvas_cls(figure)
    grid = np.atleast_1d(figure.subplots(n_rows, n_cols, squeeze=False).ravel())
    for ax in grid[n_panels:]:
        ax.set_visible(False)
    return figure, list(grid[:n_panels])


def no_data(ax: Any, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
