"""Per-element reference energies fitted by least squares: E ~ sum_e n_e E_e."""

from __future__ import annotations

import numpy as np
from ase.data import atomic_numbers

from mlpot.data.frame import Frame


def fit_reference_energies(frames: list[Frame], elements: list[str]) -> dict[str, float]:
    """Per-atom energies (eV) of each element that best explain the total energies."""
    numbers = [atomic_numbers[e] for e in elements]
    counts = np.array([[np.count_nonzero(f.numbers == z) for z in numbers] for f in frames])
    energies = np.array([f.energy for f in frames])
    solution, *_ = np.linalg.lstsq(counts.astype(float), energies, rcond=None)
    return {e: float(v) for e, v in zip(elements, solution, strict=True)}
