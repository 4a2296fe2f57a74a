"""Choosing sparse environments: CUR leverage scores (GAP's default) or farthest points."""

from __future__ import annotations

import numpy as np


def cur_rows(x: np.ndarray, n: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Indices of n rows of x (N, D) with the largest CUR leverage scores: the squared row
    norms of the top-k left singular vectors, k = min(n, rank). Rows are first projected away
    from the span of `exclude` (E, D) (sparse points already held), so new ones add to them."""
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
    return np.sort(np.argsort(-leverage, kind="stable")[:n])


def farthest_rows(x: np.ndarray, n: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """n rows of x (N, D), each the farthest (Euclidean) from those chosen before (and from
    `exclude`); the first is the farthest from the mean when nothing is excluded."""
    x = np.asarray(x, dtype=np.float64)
    n = min(n, len(x))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if exclude is not None and len(exclude):
        distance = np.min(np.linalg.norm(x[:, None] - exclude[None], axis=2), axis=1)
        chosen = []
    else:
        chosen = [int(np.argmax(np.linalg.norm(x - x.mean(0), axis=1)))]
        distance = np.linalg.norm(x - x[chosen[0]], axis=1)
    while len(chosen) < n:
        k = int(np.argmax(distance))
        chosen.append(k)
        distance = np.minimum(distance, np.linalg.norm(x - x[k], axis=1))
    return np.array(chosen, dtype=np.int64)


SELECTORS = {"cur": cur_rows, "farthest": farthest_rows}
