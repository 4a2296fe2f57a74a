"""Choosing sparse environments: randomised CUR (GAP's default) or farthest points."""

from __future__ import annotations

import numpy as np

from mlpot.selection import cur_rows, farthest_point_sampling


def farthest_rows(
    x: np.ndarray, n: int, exclude: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """n rows of x (N, D), each the farthest (Euclidean) from those chosen before (and from
    `exclude`); the first is the farthest from the mean when nothing is excluded (`rng` is
    not used: the choice is deterministic)."""
    chosen = farthest_point_sampling(x, None, n, min_distance=None, exclude=exclude)
    return np.array(chosen, dtype=np.int64)


# selector(x, n, exclude, rng): "cur" is randomised CUR when handed a generator (the fit does)
SELECTORS = {"cur": cur_rows, "farthest": farthest_rows}
__all__ = ["SELECTORS", "cur_rows", "farthest_rows"]
