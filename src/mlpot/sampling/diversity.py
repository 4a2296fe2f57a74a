"""Diversity selection of sampled structures for labelling, and how well a pick covers the pool.

Structures are points in the space of per-structure descriptor summaries (M, D)
(mlpot.active.select.feature_summaries). The fill distance of a pick is the largest distance
from any pooled structure to its nearest picked one: the smaller, the better the pick stands
for everything sampled.
"""

from __future__ import annotations

import numpy as np

from mlpot.errors import MlpotError
from mlpot.selection import cur_rows, farthest_point_sampling

METHODS = ("farthest", "cur")


def select_diverse(features: np.ndarray, method: str, budget: int) -> list[int]:
    """Indices of min(budget, M) rows of features (M, D): farthest-point order (the first is
    the row farthest from the mean; exact duplicates only once every distinct row is taken) or
    the rows with the largest CUR leverage scores, in pool order."""
    if method == "farthest":
        chosen = farthest_point_sampling(features, None, budget, min_distance=0.0)
        if len(chosen) < min(budget, len(features)):  # duplicates fill the rest, pool order
            taken = set(chosen)
            rest = [k for k in range(len(features)) if k not in taken]
            chosen += rest[: budget - len(chosen)]
        return chosen
    if method == "cur":
        return [int(k) for k in cur_rows(features, budget)]
    raise MlpotError(f"unknown selection method {method!r}; choose one of {METHODS}")


def fill_distance(features: np.ndarray, chosen: list[int]) -> float:
    """max over rows of features (M, D) of the distance to the nearest chosen row."""
    nearest = np.full(len(features), np.inf)
    for k in chosen:
        nearest = np.minimum(nearest, np.linalg.norm(features - features[k], axis=1))
    return float(nearest.max()) if len(chosen) else float("inf")


def diversity_report(features: np.ndarray, chosen: list[int]) -> dict:
    """selected count, the pick's fill distance and that of as many evenly spaced rows."""
    even = np.linspace(0, len(features) - 1, len(chosen)).round().astype(int).tolist()
    return {
        "selected": len(chosen),
        "fill_distance": fill_distance(features, chosen),
        "fill_distance_evenly_spaced": fill_distance(features, even),
    }
