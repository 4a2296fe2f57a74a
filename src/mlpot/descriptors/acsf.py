"""The symmetry-function descriptor engine: a set of functions bound to compiled kernels."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlpot.descriptors import kernels
from mlpot.descriptors.network_tables import NetworkTables
from mlpot.descriptors.species import ElementIndex
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.descriptors.tables import build_tables
from mlpot.neighbours.pairs import Pairs


class Workspace(NamedTuple):
    """What `ACSF.compute` hands to `ACSF.pair_gradients`, which recomputes the per-pair and
    per-triplet factors (the fused `energies_and_pair_gradients` needs no workspace): only the
    number of pairs, to check that the same list comes back."""

    n_pairs: int


class ACSF:
    """Atom-centred symmetry functions of `sfset` for structures given as neighbour pairs.

    Descriptors are (N, F) with F = sfset.max_features; atom i of element e uses the first
    sfset.n_features(e) columns, the rest are zero.
    """

    def __init__(self, sfset: SymmetryFunctionSet):
        self.sfset = sfset
        self.tables = build_tables(sfset)
        self._element_index = ElementIndex(sfset.elements)

    @property
    def cutoff(self) -> float:
        return self.sfset.cutoff

    @property
    def n_features(self) -> int:
        return self.sfset.max_features

    def species(self, numbers: np.ndarray) -> np.ndarray:
        """(N,) element index into sfset.elements for atomic numbers (N,)."""
        return self._element_index(numbers)

    def compute(self, species: np.ndarray, pairs: Pairs) -> tuple[np.ndarray, Workspace]:
        """Descriptors (N, F) and the workspace for `pair_gradients`."""
        out = np.empty((len(species), self.n_features))
        kernels.values(self.tables, species, *_pair_args(pairs), out)
        return out, Workspace(len(pairs.first))

    def pair_gradients(
        self, species: np.ndarray, pairs: Pairs, dedg: np.ndarray, workspace: Workspace
    ) -> np.ndarray:
        """dE/dr_ij (P, 3), eV/Å, from dE/dG (N, F) (the chain rule through the descriptors)."""
        if workspace.n_pairs != len(pairs.first):
            raise ValueError("pair_gradients needs the pairs that compute was given")
        out = np.empty((len(pairs.first), 3))
        dedg = np.ascontiguousarray(dedg, dtype=np.float64)
        kernels.pair_gradients(self.tables, species, *_pair_args(pairs), dedg, out)
        return out

    def energies_and_pair_gradients(
        self, species: np.ndarray, pairs: Pairs, networks: NetworkTables
    ) -> tuple[np.ndarray, np.ndarray]:
        """Atomic energies (N,), eV, and dE/dr_ij (P, 3), eV/Å, of `networks` in one pass."""
        energies = np.empty(len(species))
        out = np.empty((len(pairs.first), 3))
        kernels.energies_and_pair_gradients(
            self.tables, networks, species, *_pair_args(pairs), energies, out
        )
        return energies, out

    def compute_with_derivatives(
        self, species: np.ndarray, pairs: Pairs
    ) -> tuple[np.ndarray, np.ndarray]:
        """Descriptors (N, F) and dG_i/dr_ij (P, F, 3), 1/Å, for each pair (i, j) of the list."""
        out = np.empty((len(species), self.n_features))
        deriv = np.zeros((len(pairs.first), self.n_features, 3))
        kernels.values_and_derivatives(self.tables, species, *_pair_args(pairs), out, deriv)
        return out, deriv


def _pair_args(pairs: Pairs) -> tuple[np.ndarray, ...]:
    return (
        pairs.offsets,
        pairs.second,
        np.ascontiguousarray(pairs.vectors, dtype=np.float64),
        np.ascontiguousarray(pairs.distances, dtype=np.float64),
    )
