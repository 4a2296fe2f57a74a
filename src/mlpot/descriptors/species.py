"""Atomic numbers to element indices of a model, with a clear error for unknown elements."""

from __future__ import annotations

import numpy as np
from ase.data import atomic_numbers, chemical_symbols

from mlpot.errors import MlpotError


class ElementIndex:
    """species(numbers) -> (N,) index into `elements` for atomic numbers (N,)."""

    def __init__(self, elements: tuple[str, ...] | list[str]):
        self.elements = tuple(elements)
        self._index = np.full(len(chemical_symbols), -1, dtype=np.int64)
        for n, element in enumerate(self.elements):
            self._index[atomic_numbers[element]] = n

    def __call__(self, numbers: np.ndarray) -> np.ndarray:
        numbers = np.asarray(numbers)
        species = self._index[numbers]
        if (species < 0).any():
            unknown = sorted({chemical_symbols[z] for z in numbers[species < 0]})
            raise MlpotError(
                f"element(s) {', '.join(unknown)} not described by this model "
                f"(elements: {', '.join(self.elements)})"
            )
        return species
