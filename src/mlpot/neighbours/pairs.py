"""Full neighbour lists (every pair in both directions), sorted by central atom."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit
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


def moved_within(
    pairs: Pairs, shift_vectors: np.ndarray, positions: np.ndarray, cutoff: float
) -> Pairs:
    """`within(update_vectors(pairs, positions, cell), cutoff)` in one compiled pass, with the
    cell entering through shift_vectors = pairs.shifts @ cell (P, 3), Å (fixed between rebuilds
    of a Verlet list)."""
    positions = np.ascontiguousarray(positions, dtype=np.float64)
    size = len(pairs.first)
    first, second = np.empty(size, np.int64), np.empty(size, np.int64)
    shifts, vectors, distances = np.empty((size, 3), np.int64), np.empty((size, 3)), np.empty(size)
    offsets = np.empty_like(pairs.offsets)
    kept = _keep_within(
        pairs.offsets, pairs.second, pairs.shifts, shift_vectors, positions, cutoff,
        first, second, shifts, vectors, distances, offsets,
    )
    return Pairs(
        first[:kept], second[:kept], shifts[:kept], vectors[:kept], distances[:kept], offsets
    )


# serial: one pass over a few hundred thousand pairs costs less than starting threads, and does
# not wait for a descheduled thread on a busy machine
@njit(cache=True, nogil=True, error_model="numpy")
def _keep_within(
    offsets, second, shifts, shift_vectors, positions, cutoff,
    out_first, out_second, out_shifts, out_vectors, out_distances, out_offsets,
):
    """Copy the pairs inside the cutoff, with their new vectors, to out_* (offsets set);
    returns their number."""
    kept = 0
    for i in range(offsets.shape[0] - 1):
        out_offsets[i] = kept
        xi, yi, zi = positions[i, 0], positions[i, 1], positions[i, 2]
        for p in range(offsets[i], offsets[i + 1]):
            j = second[p]
            dx = positions[j, 0] - xi + shift_vectors[p, 0]
            dy = positions[j, 1] - yi + shift_vectors[p, 1]
            dz = positions[j, 2] - zi + shift_vectors[p, 2]
            d = np.sqrt(dx * dx + dy * dy + dz * dz)
            # written always, kept if inside: no branch to mispredict (about half the pairs of
            # a list with a skin are outside)
            out_first[kept], out_second[kept], out_distances[kept] = i, j, d
            out_vectors[kept, 0], out_vectors[kept, 1], out_vectors[kept, 2] = dx, dy, dz
            for x in range(3):
                out_shifts[kept, x] = shifts[p, x]
            kept += d < cutoff
    out_offsets[offsets.shape[0] - 1] = kept
    return kept

