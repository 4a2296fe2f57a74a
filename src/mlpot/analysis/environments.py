"""The training set's atomic environments as a nearest-neighbour index, one per element.

Distances are Euclidean in the model's scaled descriptor space (see atom_descriptors). The
training set's own spread is measured by leave-one-out nearest distances: for each training
atom, the distance to the nearest environment of another training structure ("structure", the
default: atoms of one structure are often symmetry copies of each other) or of any other atom
("atom").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from mlpot.analysis.atom_descriptors import AtomDescriptors
from mlpot.errors import MlpotError

LEAVE_OUT = ("structure", "atom")


@dataclass(frozen=True)
class ElementEnvironments:
    """Training environments of one element.

    tree:        k-d tree over the (M, F_e) training descriptors (None when M == 0)
    frame:       (M,) training frame index of each environment
    low, high:   (F_e,) smallest and largest training value of each descriptor
    loo:         (M,) leave-one-out nearest distance of each training atom (NaN where none)
    leave_out:   what "one" meant for loo: "structure" or "atom" (the fallback when no other
                 training structure holds this element)
    """

    tree: cKDTree | None
    frame: np.ndarray
    low: np.ndarray
    high: np.ndarray
    loo: np.ndarray
    leave_out: str

    @property
    def size(self) -> int:
        return len(self.frame)


def element_environments(
    values: np.ndarray, frame: np.ndarray, leave_out: str = "structure"
) -> ElementEnvironments:
    """Index (M, F_e) training descriptors with their frame indices (M,)."""
    if leave_out not in LEAVE_OUT:
        raise MlpotError(f"unknown leave-out mode {leave_out!r}; choose one of {LEAVE_OUT}")
    if len(values) == 0:
        width = values.shape[1]
        return ElementEnvironments(None, frame, np.zeros(width), np.zeros(width),
                                   np.zeros(0), leave_out)
    tree = cKDTree(values)
    loo = leave_one_out_distances(tree, values, frame, leave_out)
    if leave_out == "structure" and not np.isfinite(loo).any():
        leave_out = "atom"  # a single training structure holds this element
        loo = leave_one_out_distances(tree, values, frame, leave_out)
    return ElementEnvironments(tree, frame, values.min(0), values.max(0), loo, leave_out)


def leave_one_out_distances(
    tree: cKDTree, values: np.ndarray, frame: np.ndarray, leave_out: str
) -> np.ndarray:
    """(M,) distance of each indexed row to the nearest row of another structure (or atom).

    Asks the tree for k neighbours and widens k only for the rows whose k neighbours all
    belong to their own structure; NaN where no other structure (atom) exists.
    """
    n = len(values)
    out = np.full(n, np.nan)
    todo = np.arange(n)
    k = min(n, 8)
    while len(todo) and k >= 2:
        distances, neighbours = tree.query(values[todo], k=k, workers=-1)
        if leave_out == "atom":
            other = neighbours != todo[:, None]
        else:
            other = frame[neighbours] != frame[todo][:, None]
        found = other.any(axis=1)
        first = other.argmax(axis=1)
        out[todo[found]] = distances[found, first[found]]
        todo = todo[~found]
        if k == n:
            break
        k = min(n, 4 * k)
    return out


def index_training_set(
    train: AtomDescriptors, leave_out: str = "structure"
) -> list[ElementEnvironments]:
    """ElementEnvironments of every element of the model, in train.elements order."""
    return [
        element_environments(train.of_element(e), train.frame[train.element_mask(e)], leave_out)
        for e in range(len(train.elements))
    ]


def nearest_distances(
    environments: list[ElementEnvironments], data: AtomDescriptors
) -> np.ndarray:
    """(A,) distance of every data atom to the nearest training environment of its element;
    inf where the training set has no atom of that element."""
    out = np.full(len(data), np.inf)
    for e, env in enumerate(environments):
        rows = data.element_mask(e)
        if env.tree is not None and rows.any():
            out[rows] = env.tree.query(data.of_element(e), k=1, workers=-1)[0]
    return out


def outside_training_range(
    environments: list[ElementEnvironments], data: AtomDescriptors
) -> np.ndarray:
    """(A,) number of descriptors of each data atom outside the training [min, max] of its
    element (n2p2's extrapolation warning); every descriptor counts where no training atom."""
    out = np.zeros(len(data), dtype=np.int64)
    for e, env in enumerate(environments):
        rows = data.element_mask(e)
        x = data.of_element(e)
        if env.size == 0:
            out[rows] = x.shape[1]
            continue
        tolerance = 1e-9 * np.maximum(1.0, env.high - env.low)
        outside = (x < env.low - tolerance) | (x > env.high + tolerance)
        out[rows] = outside.sum(axis=1)
    return out
