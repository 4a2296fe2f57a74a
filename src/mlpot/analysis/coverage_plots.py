"""Pictures of coverage scores: per-structure scores against the threshold, score histograms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlpot.analysis.coverage import Coverage
from mlpot.analysis.output import new_figure, save_figure


def plot_coverage(result: Coverage, labels: Sequence[str], path_png: str | Path,
                  title: str = "") -> Path:
    """Per-structure max score (log scale, threshold at 1) and histograms of atom scores."""
    n_panels = 3 if result.gdf_min is not None else 2
    figure, axes = new_figure(n_panels, panel_size=(6.0, 4.5))
    _structure_panel(axes[0], result, np.asarray(labels))
    _histogram_panel(axes[1], result, np.asarray(labels))
    if result.gdf_min is not None:
        _gdf_panel(axes[2], result, np.asarray(labels))
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)


def _shown(values: np.ndarray, ceiling: float) -> np.ndarray:
    """Scores for a log axis: zeros and infinities clipped into view."""
    return np.clip(values, 1e-3, ceiling)


def _ceiling(*arrays: np.ndarray) -> float:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays] + [np.ones(1)])
    return 10.0 * float(finite.max())


def _structure_panel(ax: Any, result: Coverage, labels: np.ndarray) -> None:
    scores = result.structures.max_score
    ceiling = _ceiling(scores)
    index = np.arange(len(scores))
    for n, label in enumerate(dict.fromkeys(labels)):
        rows = labels == label
        ax.scatter(index[rows], _shown(scores[rows], ceiling), s=14, color=f"C{n % 10}",
                   label=label)
    flagged = result.structures.flagged
    if flagged.any():
        ax.scatter(index[flagged], _shown(scores[flagged], ceiling), s=60, facecolors="none",
                   edgecolors="red", label=f"flagged ({int(flagged.sum())})")
    ax.axhline(1.0, color="red", lw=1, ls="--", label="threshold")
    ax.set_yscale("log")
    ax.set_xlabel("structure")
    ax.set_ylabel("max over atoms of d / threshold (< 1e-3 shown at 1e-3)")
    ax.set_title("coverage score per structure")
    ax.legend(fontsize="small")


def _histogram_panel(ax: Any, result: Coverage, labels: np.ndarray) -> None:
    ref = result.reference
    train = np.concatenate([env.loo / max(t, 1e-300) for env, t
                            in zip(ref.environments, ref.thresholds, strict=True)])
    train = train[np.isfinite(train)]
    ceiling = _ceiling(train, result.scores)
    bins = np.geomspace(1e-3, ceiling, 40)
    ax.hist(_shown(train, ceiling), bins=bins, histtype="step", lw=1.5, color="black",
            weights=_fractions(train), label="training (leave one out)")
    atom_labels = labels[result.frame]
    for n, label in enumerate(dict.fromkeys(labels)):
        scores = result.scores[atom_labels == label]
        ax.hist(_shown(scores, ceiling), bins=bins, histtype="step", lw=1.5,
                color=f"C{n % 10}", weights=_fractions(scores), label=label)
    ax.axvline(1.0, color="red", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel("atom score d / threshold (< 1e-3 shown at 1e-3)")
    ax.set_ylabel("fraction of atoms")
    ax.set_title("nearest training environment")
    ax.legend(fontsize="small")


def _fractions(values: np.ndarray) -> np.ndarray:
    return np.full(len(values), 1.0 / max(len(values), 1))


def _gdf_panel(ax: Any, result: Coverage, labels: np.ndarray) -> None:
    values = result.gdf_min
    positive = values[values > 0]
    low = float(positive.min()) / 2 if len(positive) else 1e-6
    bins = np.geomspace(low, 1.0, 40)
    for n, label in enumerate(dict.fromkeys(labels)):
        ax.hist(np.clip(values[labels == label], low, 1.0), bins=bins, histtype="step",
                lw=1.5, color=f"C{n % 10}", label=label)
    ax.set_xscale("log")
    ax.set_xlabel(f"lowest atomic GDF among training environments (sigma {result.gdf_sigma:g})")
    ax.set_ylabel("structures")
    ax.set_title("GDF density")
    ax.legend(fontsize="small")
