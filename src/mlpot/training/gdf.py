"""Gaussian density function (GDF) weighting of atomic forces (Jeong et al., JPCC 2018).

Atoms whose environments are rare in the training set get larger force weights, so that the
fit does not favour the densely sampled (e.g. near-equilibrium) environments:

    rho(x_i) = (1/M) sum_j exp(-|x_i - x_j|^2 / (2 sigma^2 F))     over M atoms of i's element
    w_i      = min(c / rho_i, cap)               (c such that the mean is 1 per element)

x are the descriptors scaled to [0, 1] per element (F of them); dividing by F makes sigma a
per-component width. Weights are clipped at `cap` times the mean, so that a few outliers
cannot dominate the loss.
"""

from __future__ import annotations

import numpy as np
import torch

from mlpot.models.nnp import DESCRIPTORS

DEFAULT_SIGMA = 0.02
DEFAULT_CAP = 10.0
MAX_REFERENCE = 20_000  # reference atoms per element (a seeded subsample beyond this)
CHUNK = 2048


def gdf_density(
    descriptors: np.ndarray,
    species: np.ndarray,
    sigma: float = DEFAULT_SIGMA,
    reference: np.ndarray | None = None,
    reference_species: np.ndarray | None = None,
    seed: int = 0,
) -> np.ndarray:
    """(N,) GDF of each row of `descriptors` (N, F) among the reference rows of its element.

    The reference defaults to the rows themselves; at most MAX_REFERENCE rows per element are
    used (a seeded random subsample), which keeps the cost linear for large sets.
    """
    if sigma <= 0:
        raise ValueError(f"GDF sigma must be positive, got {sigma}")
    x = np.asarray(descriptors, dtype=np.float64)
    species = np.asarray(species)
    if reference is None:
        reference, reference_species = x, species
    ref = np.asarray(reference, dtype=np.float64)
    ref_species = np.asarray(reference_species)
    rng = np.random.default_rng(seed)
    density = np.zeros(len(x))
    for element in np.unique(species):
        rows = np.flatnonzero(species == element)
        pool = np.flatnonzero(ref_species == element)
        if len(pool) == 0:
            continue  # nothing known about this element: density 0
        if len(pool) > MAX_REFERENCE:
            pool = rng.choice(pool, MAX_REFERENCE, replace=False)
        density[rows] = _density(x[rows], ref[pool], sigma)
    return density


def _density(x: np.ndarray, ref: np.ndarray, sigma: float) -> np.ndarray:
    xt, rt = torch.from_numpy(x), torch.from_numpy(ref)
    scale = -1.0 / (2.0 * sigma**2 * x.shape[1])
    ref_norm = (rt * rt).sum(1)
    out = torch.empty(len(xt), dtype=xt.dtype)
    for start in range(0, len(xt), CHUNK):
        block = xt[start : start + CHUNK]
        d2 = (block * block).sum(1)[:, None] + ref_norm[None, :] - 2.0 * block @ rt.T
        out[start : start + CHUNK] = torch.exp(scale * d2.clamp_min(0.0)).mean(1)
    return out.numpy()


def gdf_weights(
    density: np.ndarray, species: np.ndarray, cap: float = DEFAULT_CAP
) -> np.ndarray:
    """(N,) force weights min(c / rho, cap), with c chosen per element so that they average 1."""
    if cap < 1:
        raise ValueError(f"GDF cap must be at least 1 (the mean weight), got {cap}")
    density = np.asarray(density, dtype=np.float64)
    species = np.asarray(species)
    weights = np.ones(len(density))
    for element in np.unique(species):
        rows = species == element
        inverse = 1.0 / np.maximum(density[rows], np.finfo(float).tiny)
        weights[rows] = _capped_unit_mean(inverse / inverse.mean(), cap)
    return weights


def _capped_unit_mean(w: np.ndarray, cap: float) -> np.ndarray:
    """min(c w, cap) with mean 1: bisection on log c (the mean grows with c)."""
    lo, hi = 0.0, np.log(cap / w.min())  # c = 1 gives mean <= 1; c = cap / min(w): all = cap
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.minimum(np.exp(mid) * w, cap).mean() < 1.0:
            lo = mid
        else:
            hi = mid
    return np.minimum(np.exp(hi) * w, cap)


def minmax_scaled(descriptors: np.ndarray, species: np.ndarray) -> np.ndarray:
    """Descriptors scaled to [0, 1] per element and column: the space the GDF is defined in."""
    x = np.array(descriptors, dtype=np.float64)
    for element in np.unique(species):
        rows = species == element
        lo, hi = x[rows].min(0), x[rows].max(0)
        width = np.where(hi - lo > 1e-12, hi - lo, 1.0)
        x[rows] = (x[rows] - lo) / width
    return x


def assign_gdf_weights(prepared: list, sigma: float = DEFAULT_SIGMA, cap: float = DEFAULT_CAP):
    """Set `force_weights` of every PreparedFrame from the GDF over all of them; returns the
    (A,) weights in the order of the frames' atoms."""
    descriptors = torch.cat([p.features[DESCRIPTORS] for p in prepared]).double().numpy()
    species = torch.cat([p.species for p in prepared]).numpy()
    x = minmax_scaled(descriptors, species)
    weights = gdf_weights(gdf_density(x, species, sigma), species, cap)
    start = 0
    for p in prepared:
        p.force_weights = torch.as_tensor(
            weights[start : start + p.n_atoms], dtype=p.inputs.pair_vectors.dtype
        )
        start += p.n_atoms
    return weights
