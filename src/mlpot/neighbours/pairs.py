"""Full neighbour lists (every pair in both directions), sorted by central atom."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from vesin import NeighborList


class Pairs(NamedTuple):
    """Directed pairs i -> j within a cutoff, grouped by i.

    first:     (P,) int64, central atom i (non-decreasing)
    second:    (P,) int64, neighbour atom j
    shifts:    (P, 3) int64, cell shift S with r_ij = R_j - R_i + S @ cell
    vectors:   (P, 3) float64, r_ij, Å
    distances: (P,) float64, |r_ij|, Å
    offsets:   (N + 1,) int64, pairs of atom i are offsets[i]:offsets[i + 1]
    """

    first: np.ndarray
    second: np.ndarray
    shifts: np.ndarray
    vectors: np.ndarray
    distances: np.ndarray
    offsets: np.ndarray


def neighbour_pairs(
    positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray, cutoff: float
) -> Pairs:
    """All pairs with |r_ij| < cutoff, periodic images included (cells smaller than the cutoff too).

    positions (N, 3) Å; cell (3, 3) rows, Å; pbc (3,) bool; cutoff Å.
    """
    positions = np.ascontiguousarray(positions, dtype=np.float64)
    pbc = np.asarray(pbc, dtype=bool)
    cell = np.asarray(cell, dtype=np.float64)
    box = cell if pbc.any() else np.zeros((3, 3))
    calculator = NeighborList(cutoff=float(cutoff), full_list=True, sorted=True)
    first, second, shifts, vectors, distances = calculator.compute(
        positions, box, pbc, quantities="ijSDd", copy=True
    )
    return _as_pairs(first, second, shifts, vectors, distances, len(positions))


def _as_pairs(first, second, shifts, vectors, distances, n_atoms: int) -> Pairs:
    first = first.astype(np.int64)
    offsets = np.zeros(n_atoms + 1, dtype=np.int64)
    np.cumsum(np.bincount(first, minlength=n_atoms), out=offsets[1:])
    return Pairs(
        first,
        second.astype(np.int64),
        shifts.astype(np.int64),
        vectors.astype(np.float64),
        distances.astype(np.float64),
        offsets,
    )


def update_vectors(pairs: Pairs, positions: np.ndarray, cell: np.ndarray) -> Pairs:
    """The same pairs with vectors and distances recomputed for new positions and cell.

    Used with a neighbour list built at cutoff + skin; pairs beyond the cutoff stay in the list
    and contribute nothing (every cutoff function is zero there).
    """
    vectors = positions[pairs.second] - positions[pairs.first] + pairs.shifts @ cell
    distances = np.sqrt(np.einsum("pa,pa->p", vectors, vectors))
    return pairs._replace(vectors=vectors, distances=distances)


def within(pairs: Pairs, cutoff: float) -> Pairs:
    """The pairs closer than cutoff (from a list built with a skin)."""
    keep = pairs.distances < cutoff
    if keep.all():
        return pairs
    first = pairs.first[keep]
    return _as_pairs(
        first,
        pairs.second[keep],
        pairs.shifts[keep],
        pairs.vectors[keep],
        pairs.distances[keep],
        len(pairs.offsets) - 1,
    )
