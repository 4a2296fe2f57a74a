"""mlpot's pair list as a featomic system: featomic reads the pairs instead of searching.

featomic asks a system for its data through C callbacks, many times per call (the pairs of each
atom once per channel block, the atom count and types for every block). featomic's generic
Python system converts the returned arrays on every call, which costs about as much as the
expansion itself for a 64-atom cell; this system prepares the arrays once and its callbacks
only hand out their addresses.
"""

from __future__ import annotations

import itertools

import numpy as np

from mlpot.errors import MlpotError


def featomic_module():
    """The featomic package, or an error naming the extra that installs it."""
    try:
        import featomic
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise MlpotError(
            "GAP models need featomic: install mlpot's 'gap' extra (pip install 'mlpot[gap]')"
        ) from error
    return featomic


def half(first: np.ndarray, second: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """(P,) bool: one of each pair's two directions (i < j, or an image of i in the positive
    half-space of shifts)."""
    total = shifts.sum(1)
    positive = (total > 0) | ((total == 0) & ((shifts[:, 2] > 0)
                                              | ((shifts[:, 2] == 0) & (shifts[:, 1] > 0))))
    return (first < second) | ((first == second) & positive)


def pair_system(numbers, first, second, shifts, vectors):
    """A featomic system of atoms with atomic numbers (N,) and the directed pairs (P,) given by
    first, second, shifts (P, 3) and vectors (P, 3) Å (both directions of each pair listed)."""
    featomic = featomic_module()

    class PairSystem(featomic.SystemBase):
        """The pairs as given (no neighbour search: featomic reads them)."""

        def __init__(self):
            super().__init__()
            keep = half(first, second, shifts)
            pairs = np.zeros(int(keep.sum()), dtype=pair_dtype())
            pairs["first"], pairs["second"] = first[keep], second[keep]
            pairs["distance"] = np.linalg.norm(vectors[keep], axis=1)
            pairs["vector"], pairs["cell_shift_indices"] = vectors[keep], shifts[keep]
            self.pairs_array = pairs
            self.by_atom = _pairs_by_atom(pairs, len(numbers))
            self.types_array = np.asarray(numbers, dtype=np.int32)
            self.positions_array = np.zeros((len(numbers), 3))

        def _as_featomic_system_t(self):
            struct = _c_system(self)
            self._keepalive["c_struct"] = struct
            return struct

        def size(self):
            return len(self.types_array)

        def types(self):
            return self.types_array

        def positions(self):
            return self.positions_array

        def cell(self):
            return np.zeros((3, 3))

        def compute_neighbors(self, cutoff):
            pass

        def pairs(self):
            return self.pairs_array

        def pairs_containing(self, atom):
            return self.by_atom[atom]

    return PairSystem()


def pair_dtype() -> np.dtype:
    from featomic._c_api import featomic_pair_t

    return np.dtype(featomic_pair_t)


def _pairs_by_atom(pairs: np.ndarray, n_atoms: int) -> list[np.ndarray]:
    """The pairs of each atom, as either member (once for an atom and its image)."""
    atoms = np.concatenate([pairs["first"], pairs["second"]])
    rows = np.concatenate([np.arange(len(pairs))] * 2)
    own = np.concatenate([np.zeros(len(pairs), bool), pairs["first"] == pairs["second"]])
    atoms, rows = atoms[~own], rows[~own]
    order = np.lexsort((rows, atoms))
    bounds = np.searchsorted(atoms[order], np.arange(n_atoms + 1))
    return [pairs[rows[order[a:b]]] for a, b in itertools.pairwise(bounds)]


def _c_system(system):
    """featomic's C struct for `system`, its callbacks answering from the prepared arrays."""
    from featomic._c_api import c_uintptr_t, featomic_system_t
    from featomic.systems.base import catch_exceptions

    callbacks = dict(featomic_system_t._fields_)
    n_atoms = c_uintptr_t(len(system.types_array))
    n_pairs = c_uintptr_t(len(system.pairs_array))
    counts = [c_uintptr_t(len(p)) for p in system.by_atom]
    pointers = [p.ctypes.data for p in system.by_atom]
    types, positions = system.types_array.ctypes.data, system.positions_array.ctypes.data
    pairs = system.pairs_array.ctypes.data

    def size(_, out):
        out[0] = n_atoms

    def types_of(_, out):
        out[0] = types

    def positions_of(_, out):
        out[0] = positions

    def cell(_, out):
        for k in range(9):
            out[k] = 0.0

    def compute_neighbors(_, cutoff):
        pass

    def all_pairs(_, out, count):
        out[0], count[0] = pairs, n_pairs

    def pairs_containing(_, atom, out, count):
        out[0], count[0] = pointers[atom], counts[atom]

    functions = {"size": size, "types": types_of, "positions": positions_of, "cell": cell,
                 "compute_neighbors": compute_neighbors, "pairs": all_pairs,
                 "pairs_containing": pairs_containing}
    struct = featomic_system_t()
    for name, function in functions.items():
        setattr(struct, name, callbacks[name](catch_exceptions(function)))
    return struct
