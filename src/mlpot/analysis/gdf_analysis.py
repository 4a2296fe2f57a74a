"""`analyze gdf`: the Gaussian-density-function force weights (Jeong et al. 2018) that training
with GDF weighting would give the atoms of a data set, and the densities behind them.

The weights are computed exactly as training computes them (training.gdf): descriptors scaled
to [0, 1] per element over the data set, density among the atoms of the same element, weights
1/density normalised to mean 1 per element and capped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mlpot.analysis.atom_descriptors import AtomDescriptors, atom_descriptors
from mlpot.analysis.output import new_figure, save_figure, write_json
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError
from mlpot.models.nnp import NeuralNetworkPotential

N_RAREST = 10


def gdf_of_atoms(atoms: AtomDescriptors, sigma: float, cap: float) -> tuple[np.ndarray, ...]:
    """(density (A,), weights (A,)) of every atom, as training would compute them."""
    from mlpot.training.gdf import gdf_density, gdf_weights, minmax_scaled

    if not sigma > 0 or not cap > 0:
        raise MlpotError(f"GDF sigma ({sigma}) and cap ({cap}) must be positive numbers")
    x = minmax_scaled(atoms.raw, atoms.species)
    density = gdf_density(x, atoms.species, sigma)
    return density, gdf_weights(density, atoms.species, cap)


def _stats(values: np.ndarray) -> dict:
    return {"min": values.min(), "median": float(np.median(values)), "mean": values.mean(),
            "max": values.max()}


def gdf_summary(atoms: AtomDescriptors, frames: Sequence[Frame], density: np.ndarray,
                weights: np.ndarray, sigma: float, cap: float) -> dict:
    """Per element: density and weight statistics, the fraction of atoms at the cap and the
    effective number of atoms (sum w)^2 / sum w^2; the structures of highest mean weight."""
    elements = {}
    for e, element in enumerate(atoms.elements):
        rows = atoms.species == e
        if not rows.any():
            continue
        w = weights[rows]
        elements[element] = {
            "n_atoms": int(rows.sum()),
            "density": _stats(density[rows]),
            "weight": _stats(w),
            "fraction_at_cap": float(np.mean(w >= cap * (1 - 1e-9))),
            "effective_atoms": float(w.sum() ** 2 / np.sum(w**2)),
        }
    mean_weight = np.bincount(atoms.frame, weights) / np.bincount(atoms.frame)
    rarest = np.argsort(mean_weight)[::-1][:N_RAREST]
    return {
        "sigma": sigma,
        "cap": cap,
        "space": "descriptors scaled to [0, 1] per element over these data (as in training)",
        "elements": elements,
        "highest_mean_weight": [
            {"source": frames[i].source or f"frame {i}", "group": frames[i].group,
             "mean_weight": float(mean_weight[i])} for i in rarest
        ],
    }


def plot_gdf(atoms: AtomDescriptors, density: np.ndarray, weights: np.ndarray,
             path_png: str | Path, sigma: float, title: str = "") -> Path:
    """Histograms of weights and densities per element (log x)."""
    from matplotlib.ticker import NullFormatter

    figure, axes = new_figure(2, panel_size=(6.0, 4.5))
    panels = ((axes[0], weights, "GDF force weight (mean 1 per element)"),
              (axes[1], density, f"GDF density (sigma {sigma:g})"))
    for ax, values, label in panels:
        positive = values[values > 0]
        bins = np.geomspace(positive.min() / 1.5, positive.max() * 1.5, 40)
        for e, element in enumerate(atoms.elements):
            rows = (atoms.species == e) & (values > 0)
            if rows.any():
                ax.hist(values[rows], bins=bins, histtype="step", lw=1.5, color=f"C{e % 10}",
                        label=f"{element} ({int(rows.sum())} atoms)")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # a narrow range crowds minor labels
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("atoms")
        ax.legend(fontsize="small")
    axes[0].set_title("force weights")
    axes[0].axvline(1.0, color="black", lw=0.8, ls="--")
    axes[1].set_title("density of environments")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path_png)


def analyze_gdf(model: NeuralNetworkPotential, frames: Sequence[Frame], out: str | Path, *,
                sigma: float, cap: float, title: str = "") -> tuple[dict, list[Path]]:
    """Write gdf.json and gdf.png for frames into out; returns (numbers, files)."""
    atoms = atom_descriptors(model, frames)
    density, weights = gdf_of_atoms(atoms, sigma, cap)
    summary = gdf_summary(atoms, frames, density, weights, sigma, cap)
    out = Path(out)
    written = [write_json(out / "gdf.json", summary),
               plot_gdf(atoms, density, weights, out / "gdf.png", sigma, title)]
    return summary, written
