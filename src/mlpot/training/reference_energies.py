"""Per-element reference energies fitted by least squares: E ~ sum_e n_e E_e (per fidelity
for multi-fidelity models)."""

from __future__ import annotations

import numpy as np
from ase.data import atomic_numbers

from mlpot.data.frame import Frame
from mlpot.errors import MlpotError
from mlpot.models.fidelity import Fidelities


def fit_reference_energies(frames: list[Frame], elements: list[str]) -> dict[str, float]:
    """Per-atom energies (eV) of each element that best explain the total energies."""
    numbers = [atomic_numbers[e] for e in elements]
    counts = np.array([[np.count_nonzero(f.numbers == z) for z in numbers] for f in frames])
    energies = np.array([f.energy for f in frames])
    solution, *_ = np.linalg.lstsq(counts.astype(float), energies, rcond=None)
    return {e: float(v) for e, v in zip(elements, solution, strict=True)}


def fidelity_reference_energies(
    frames: list[Frame],
    elements: list[str],
    fidelities: Fidelities,
    target: dict[str, float] | None = None,
) -> np.ndarray:
    """(F, E) per-atom energies (eV) of each fidelity and element, fitted on the frames of
    that fidelity (Frame.fidelity); the target fidelity's row is `target` where given."""
    rows = []
    for name in fidelities.names:
        if name == fidelities.target and target is not None:
            refs = target
        else:
            mine = [f for f in frames if f.fidelity == name]
            if not mine:
                raise MlpotError(
                    f"no training frame has fidelity '{name}'; give it frames or remove it"
                )
            refs = fit_reference_energies(mine, elements)
        rows.append([refs[e] for e in elements])
    return np.array(rows)


def fitted_references(
    frames: list[Frame],
    elements: list[str],
    fidelities: Fidelities | None,
    given: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(E,) reference energies of the target fidelity (`given`, else fitted) and, for a
    multi-fidelity model, (F, E) shifts: each fidelity's references minus the target's."""
    if fidelities is None:
        refs = given or fit_reference_energies(frames, elements)
        return np.array([refs[e] for e in elements]), None
    rows = fidelity_reference_energies(frames, elements, fidelities, given)
    target = rows[fidelities.index(None)]
    return target, rows - target
