"""SNAP bispectrum descriptors and their per-pair derivatives, computed by LAMMPS.

mlpot's training and force code works with directed pairs p = (i, j) of r_p = R_j - R_i + S,
one per periodic image, and dG_i/dr_p (models/forces.py). LAMMPS's `compute snap` gives
dB_i/dR_j summed over the images of j. Where every neighbour j of i lies within the cutoff
through one image only (and no atom sees its own image), the two are the same numbers:
dB_i/dr_p = dB_i/dR_j for j != i (B_i depends on R_j - R_i only, so the central atom's
derivative is minus their sum, which forces_from_pair_gradients applies). Cells too small for
that are replicated until they are not, and the pairs of the first copy are read.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from mlpot.descriptors.lammps.box import lammps_box
from mlpot.descriptors.lammps.compute import run_compute_snap
from mlpot.descriptors.lammps.library import new_lammps
from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.descriptors.species import ElementIndex
from mlpot.errors import MlpotError
from mlpot.neighbours.pairs import neighbour_pairs


class SnapPairs(NamedTuple):
    """Directed neighbour pairs within their element-pair cutoff, with descriptor derivatives.

    first, second: (P,) int64 atoms i, j; vectors: (P, 3) r_ij, Å;
    derivatives: (P, F, 3) dB_i/dr_ij, units of B per Å.
    """

    first: np.ndarray
    second: np.ndarray
    vectors: np.ndarray
    derivatives: np.ndarray


class SnapDescriptor:
    """The bispectrum of `settings` for structures given as numbers, positions, cell, pbc.

    Holds one in-process LAMMPS instance, started on first use and reused.
    """

    def __init__(self, settings: SnapSettings):
        self.settings = settings
        self._lmp = None
        self.species = ElementIndex(settings.elements)
        n = len(settings.elements)
        self._cutoffs = np.array([[settings.pair_cutoff(a, b) for b in range(n)] for a in range(n)])

    @property
    def cutoff(self) -> float:
        return self.settings.cutoff

    @property
    def n_features(self) -> int:
        return self.settings.max_features

    @property
    def lammps(self):
        if self._lmp is None:
            self._lmp = new_lammps()
        return self._lmp

    def close(self) -> None:
        if self._lmp is not None:
            self._lmp.close()
            self._lmp = None

    def compute(self, numbers, positions, cell, pbc) -> np.ndarray:
        """Descriptors (N, F) of a structure (positions Å, cell rows Å)."""
        species = self.species(numbers)
        box = lammps_box(positions, cell, pbc)
        array = run_compute_snap(self.lammps, self.settings, box, species, gradients=False)
        f = self.n_features
        columns = f * species[:, None] + np.arange(f)  # atom i's block: its type's columns
        return array[np.arange(len(species))[:, None], columns]

    def compute_with_derivatives(
        self, numbers, positions, cell, pbc
    ) -> tuple[np.ndarray, SnapPairs]:
        """Descriptors (N, F) and the pairs with dB_i/dr_ij of a structure."""
        species = self.species(numbers)
        n_atoms = len(species)
        pairs = self._pairs(species, positions, cell, pbc)
        if not _one_image_each(pairs):
            repeats = _repeats(cell, pbc, self.cutoff)
            positions, cell, species = _replicate(positions, cell, species, repeats)
            pairs = self._pairs(species, positions, cell, pbc)
            own = pairs[0] < n_atoms
            pairs = tuple(x[own] for x in pairs)
        first, second, vectors = pairs
        box = lammps_box(positions, cell, pbc)
        array = run_compute_snap(self.lammps, self.settings, box, species, gradients=True)
        n_total = len(species)
        rows = n_total + 3 * (second[:, None] * n_total + first[:, None]) + np.arange(3)
        _check_layout(array, rows, first, second)
        derivatives = -box.vectors_to_structure(array[rows, 3:].transpose(0, 2, 1))
        descriptors = array[:n_atoms, 3:]
        return descriptors, SnapPairs(first, second % n_atoms, vectors, derivatives)

    def _pairs(self, species, positions, cell, pbc) -> tuple[np.ndarray, ...]:
        """(first, second, vectors) of the pairs within their element-pair cutoff."""
        pairs = neighbour_pairs(positions, cell, pbc, self.cutoff)
        inside = pairs.distances < self._cutoffs[species[pairs.first], species[pairs.second]]
        return pairs.first[inside], pairs.second[inside], pairs.vectors[inside]


def _one_image_each(pairs: tuple[np.ndarray, ...]) -> bool:
    """True when no atom pair occurs twice and no atom neighbours its own image."""
    first, second, _ = pairs
    if (first == second).any():
        return False
    keys = first * (int(second.max(initial=0)) + 1) + second
    return len(np.unique(keys)) == len(keys)


def _repeats(cell: np.ndarray, pbc: np.ndarray, cutoff: float) -> tuple[int, int, int]:
    """Copies along each periodic cell vector so that every plane spacing exceeds 2 cutoff:
    then two images of one atom are further apart than 2 cutoff and cannot both be
    neighbours of an atom."""
    cell = np.asarray(cell, dtype=np.float64)
    volume = abs(np.linalg.det(cell))
    repeats = []
    for k in range(3):
        height = volume / np.linalg.norm(np.cross(cell[(k + 1) % 3], cell[(k + 2) % 3]))
        repeats.append(math.floor(2 * cutoff / height) + 1 if pbc[k] else 1)
    return tuple(repeats)


def _replicate(positions, cell, species, repeats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supercell with the original atoms first (atom k of copy c is k + c N)."""
    shifts = np.array(
        [(a, b, c) for a in range(repeats[0]) for b in range(repeats[1]) for c in range(repeats[2])]
    ) @ np.asarray(cell)
    big = (np.asarray(positions)[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    return big, np.asarray(cell) * np.array(repeats)[:, None], np.tile(species, len(shifts))


def _check_layout(array: np.ndarray, rows: np.ndarray, first, second) -> None:
    """The index columns of the rows read must name the expected (i, j, axis)."""
    if len(rows) == 0:
        return
    index = array[rows, :3]
    expected = np.stack(
        [
            np.broadcast_to(first[:, None], rows.shape),
            np.broadcast_to(second[:, None], rows.shape),
            np.broadcast_to(np.arange(3), rows.shape),
        ],
        axis=-1,
    )
    if not np.array_equal(index, expected):
        raise MlpotError(
            "unexpected layout of LAMMPS's compute snap gradients (dgradflag 1); "
            "this LAMMPS version is not supported"
        )
