"""Errors resolved per atom and per structure (the errors module reports them pooled).

Units: per-atom force error |F_pred - F_ref| in eV/Å; per-structure energy error per atom in
meV/atom, force RMSE over components in eV/Å, stress RMSE over components in GPa.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase.units import GPa

from mlpot.analysis.errors import Predictions, paired_values
from mlpot.data.frame import Frame


def atom_force_errors(frames: Sequence[Frame], predictions: Predictions) -> np.ndarray:
    """(A,) |F_pred - F_ref| of every atom, eV/Å, atoms in frame order; NaN where the frame
    has no reference forces."""
    paired_values(frames, predictions)  # checks that predictions belong to frames
    blocks = []
    for frame, forces in zip(frames, predictions.forces, strict=True):
        if frame.forces is None:
            blocks.append(np.full(len(frame), np.nan))
        else:
            blocks.append(np.linalg.norm(np.asarray(forces) - frame.forces, axis=1))
    return np.concatenate(blocks) if blocks else np.zeros(0)


@dataclass(frozen=True)
class StructureErrors:
    """Errors of each of S structures (NaN where the structure has no such label).

    energy: (S,) |E_pred - E_ref| / N, meV/atom
    forces: (S,) RMSE of the force components, eV/Å
    stress: (S,) RMSE of the stress components, GPa
    """

    energy: np.ndarray
    forces: np.ndarray
    stress: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"energy": self.energy, "forces": self.forces, "stress": self.stress}


def structure_errors(frames: Sequence[Frame], predictions: Predictions) -> StructureErrors:
    """Per-structure errors of predictions against the frames' labels."""
    paired_values(frames, predictions)
    energy, forces, stress = [], [], []
    columns = (frames, predictions.energy, predictions.forces, predictions.stress)
    for frame, e_pred, f_pred, s_pred in zip(*columns, strict=True):
        energy.append(1000.0 * abs(e_pred - frame.energy) / len(frame))
        forces.append(np.nan if frame.forces is None else _rmse(f_pred - frame.forces))
        has_stress = frame.stress is not None and s_pred is not None
        stress.append(_rmse((s_pred - frame.stress) / GPa) if has_stress else np.nan)
    return StructureErrors(np.array(energy), np.array(forces), np.array(stress))


def _rmse(diff: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(diff))))
