"""Forces and virial of one structure from per-pair gradients, for inference (NumPy/numba).

The same sums as mlpot.models.forces (the torch version used in training), without torch:
in MD every step pays for them, and a compiled serial loop beats torch's threaded scatter.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _scatter(first, second, pair_gradients, forces):
    for p in range(len(first)):
        i, j = first[p], second[p]
        for a in range(3):
            forces[i, a] += pair_gradients[p, a]
            forces[j, a] -= pair_gradients[p, a]


def forces_from_pair_gradients(
    pair_gradients: np.ndarray, first: np.ndarray, second: np.ndarray, n_atoms: int
) -> np.ndarray:
    """(N, 3) forces, eV/Å: F_i += dE/dr_p and F_j -= dE/dr_p for each pair p = (i, j)."""
    forces = np.zeros((n_atoms, 3))
    _scatter(first, second, np.ascontiguousarray(pair_gradients, dtype=np.float64), forces)
    return forces


def virial_from_pair_gradients(pair_gradients: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(3, 3) dE/d(strain) = sum_p dE/dr_p (outer) r_p, eV."""
    return pair_gradients.T @ vectors
