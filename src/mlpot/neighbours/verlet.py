"""A neighbour list with a skin, rebuilt only when atoms have moved far enough (for MD).

Kept beside vesin's own skin cache (`NeighborList(skin=...)`): the compiled filter keeps the
build's order, grouped by atom, so no step sorts; 3 to 5 times faster per MD step than vesin's
cache sorted so, 4 to 11 times faster than a fresh vesin list (BENCHMARKS.md, "Library choices").
"""

from __future__ import annotations

import numpy as np

from mlpot.neighbours.pairs import Pairs, moved_within, neighbour_pairs


class VerletList:
    """Pairs within `cutoff`, from a list built at cutoff + skin.

    The list is rebuilt when any atom moved more than skin / 2 since the last build, or when
    the cell, periodicity or number of atoms changed.
    """

    def __init__(self, cutoff: float, skin: float = 1.0):
        self.cutoff = cutoff
        self.skin = skin
        self.builds = 0
        self._pairs: Pairs | None = None
        self._shift_vectors: np.ndarray | None = None  # (P, 3) shifts @ cell of the list, Å
        self._reference: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _stale(self, positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray) -> bool:
        if self._reference is None:
            return True
        ref_positions, ref_cell, ref_pbc = self._reference
        if ref_positions.shape != positions.shape or (ref_pbc != pbc).any():
            return True
        if not np.array_equal(ref_cell, cell):
            return True
        moved = np.einsum("ia,ia->i", positions - ref_positions, positions - ref_positions)
        return bool(moved.max(initial=0.0) > (0.5 * self.skin) ** 2)

    def pairs(self, positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray) -> Pairs:
        positions = np.asarray(positions, dtype=np.float64)
        cell = np.asarray(cell, dtype=np.float64)
        pbc = np.asarray(pbc, dtype=bool)
        if self._stale(positions, cell, pbc):
            self._pairs = neighbour_pairs(positions, cell, pbc, self.cutoff + self.skin)
            self._shift_vectors = self._pairs.shifts @ cell
            self._reference = (positions.copy(), cell.copy(), pbc.copy())
            self.builds += 1
        return moved_within(self._pairs, self._shift_vectors, positions, self.cutoff)
