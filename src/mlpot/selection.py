"""Choosing diverse rows of a feature matrix: farthest-point sampling and CUR leverage.

One implementation of each, used by active learning (structures by descriptor summaries),
by GAP (sparse environments) and by `mlpot sample` (a label budget from sampled structures).
"""

from __future__ import annotations

import numpy as np


def farthest_point_sampling(
    points: np.ndarray,
    first: int | None,
    cap: int,
    min_distance: float | None = 0.0,
    exclude: np.ndarray | None = None,
) -> list[int]:
    """Indices into points (M, D), in the order picked: `first`, then repeatedly the point
    farthest (Euclidean) from all picked and from the rows of `exclude` (E, D), until cap are
    picked. first None: the first pick is the point farthest from `exclude` (or, without it,
    from the mean). Picking stops early once the farthest remaining point is no farther than
    min_distance (0: exact duplicates are never picked; None: never stop before cap)."""
    points = np.asarray(points, dtype=np.float64)
    cap = min(cap, len(points))
    if cap < 1:
        return []
    nearest = np.full(len(points), np.inf)
    if exclude is not None and len(exclude):
        for row in np.asarray(exclude, dtype=np.float64):
            nearest = np.minimum(nearest, np.linalg.norm(points - row, axis=1))
    elif first is None:
        first = int(np.argmax(np.linalg.norm(points - points.mean(0), axis=1)))
    chosen: list[int] = []
    best = first
    while len(chosen) < cap:
        if best is None:
            best = int(np.argmax(nearest))
            if min_distance is not None and nearest[best] <= min_distance:
                break
        chosen.append(best)
        nearest = np.minimum(nearest, np.linalg.norm(points - points[best], axis=1))
        best = None
    return chosen


def cur_rows(
    x: np.ndarray, n: int, exclude: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Indices (sorted) of n rows of x (N, D) by CUR leverage: the squared row norms p_i of the
    top-k left singular vectors, k = min(n, rank). Without rng, the n rows of largest p_i;
    with rng, randomised CUR (Mahoney and Drineas 2009, as GAP's cur_points): rows ranked by
    u_i - pi_i, u_i uniform and pi_i = min(1, n p_i / k), the n lowest taken, so that rows of
    larger leverage are more likely taken. Rows are first projected away from the span of
    `exclude` (E, D) (rows already held), so new ones add to them."""
    x = np.asarray(x, dtype=np.float64)
    n = min(n, len(x))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if exclude is not None and len(exclude):
        basis, _ = np.linalg.qr(np.asarray(exclude, dtype=np.float64).T)
        x = x - (x @ basis) @ basis.T
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    k = max(1, min(n, int(np.count_nonzero(s > s[0] * 1e-10)) if len(s) and s[0] > 0 else 1))
    leverage = np.sum(u[:, :k] ** 2, axis=1)
    if rng is None:
        return np.sort(np.argsort(-leverage, kind="stable")[:n])
    keep = np.minimum(1.0, n * leverage / k)
    return np.sort(np.argsort(rng.random(len(x)) - keep, kind="stable")[:n])
