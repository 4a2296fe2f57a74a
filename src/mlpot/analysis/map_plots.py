"""Drawing descriptor maps: one panel per embedding, points coloured by a category or error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mlpot.analysis.descriptor_maps import TRAINING, MapPoints, Panel
from mlpot.analysis.output import new_figure, save_figure

METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE"}


def plot_map(panels: list[Panel], points: MapPoints, colour: str, path_png: str | Path,
             title: str = "") -> Path:
    """One PNG with a scatter panel per Panel, coloured by colour (see descriptor_maps)."""
    figure, axes = new_figure(len(panels), panel_size=(5.6, 4.8), columns=2)
    for ax, panel in zip(axes, panels, strict=True):
        if colour == "error":
            image = _error_scatter(ax, panel, points.error)
            if image is not None:
                figure.colorbar(image, ax=ax, extend="max",
                                label="force error |ΔF| (eV/Å), colours capped at the 99th pct.")
        else:
            _category_scatter(ax, panel, _categories(points, colour)[panel.rows])
        xlabel, ylabel = panel.embedding.axis_labels()
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{panel.title}: {METHOD_NAMES[panel.embedding.method]}, "
                     f"{len(panel.rows)} shown")
    figure.suptitle(title or f"descriptor map coloured by {colour}")
    return save_figure(figure, path_png)


def _categories(points: MapPoints, colour: str) -> np.ndarray:
    if colour == "set":
        return points.set_label
    if colour == "group":
        return points.group
    return np.asarray(points.atoms.elements)[points.atoms.species]


def _category_scatter(ax: Any, panel: Panel, categories: np.ndarray) -> None:
    names = list(dict.fromkeys(categories))
    if TRAINING in names:  # the training set first, underneath the others
        names.insert(0, names.pop(names.index(TRAINING)))
    size = _marker_size(len(panel.rows))
    for n, name in enumerate(names):
        xy = panel.embedding.coords[categories == name]
        ax.scatter(xy[:, 0], xy[:, 1], s=size, alpha=0.6, color=f"C{n % 10}", label=name,
                   rasterized=True, linewidths=0)
    ax.legend(markerscale=max(1.0, 12 / size), fontsize="small")


def _error_scatter(ax: Any, panel: Panel, errors: np.ndarray) -> Any | None:
    values = errors[panel.rows]
    xy = panel.embedding.coords
    size = _marker_size(len(panel.rows))
    missing = np.isnan(values)
    if missing.any():
        ax.scatter(xy[missing, 0], xy[missing, 1], s=size, color="lightgrey",
                   label="no reference forces", rasterized=True, linewidths=0)
        ax.legend(fontsize="small")
    order = np.flatnonzero(~missing)[np.argsort(values[~missing])]  # largest errors on top
    if not len(order):
        return None
    cap = float(np.percentile(values[order], 99))  # one outlier must not darken all the rest
    return ax.scatter(xy[order, 0], xy[order, 1], c=values[order], s=size, cmap="viridis",
                      vmin=0.0, vmax=cap if cap > 0 else None, rasterized=True, linewidths=0)


def _marker_size(n: int) -> float:
    return float(np.clip(3000 / max(n, 1), 2, 30))
