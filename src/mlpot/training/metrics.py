"""Running MAE / RMSE of energy (meV/atom), forces (eV/Å) and stress (GPa) over an epoch."""

from __future__ import annotations

import math

import torch
from ase.units import GPa

from mlpot.models.predict import Prediction
from mlpot.training.dataset import Batch

QUANTITIES = ("energy", "forces", "stress")
UNITS = {"energy": "meV/atom", "forces": "eV/A", "stress": "GPa"}


class ErrorAccumulator:
    """Sums of absolute and squared errors, unweighted, in reporting units."""

    def __init__(self):
        self.abs = dict.fromkeys(QUANTITIES, 0.0)
        self.sq = dict.fromkeys(QUANTITIES, 0.0)
        self.count = dict.fromkeys(QUANTITIES, 0)

    def add(self, pred: Prediction, batch: Batch) -> None:
        self._add("energy", 1000.0 * (pred.energy - batch.energy) / batch.n_atoms)
        if pred.forces is not None:
            self._add("forces", (pred.forces - batch.forces)[batch.force_mask])
        if pred.stress is not None:
            self._add("stress", ((pred.stress - batch.stress) / GPa)[batch.stress_mask])

    def _add(self, name: str, err: torch.Tensor) -> None:
        err = err.detach()
        self.abs[name] += float(err.abs().sum())
        self.sq[name] += float((err**2).sum())
        self.count[name] += err.numel()

    def summary(self) -> dict[str, float]:
        """{"energy_mae": ..., "energy_rmse": ..., ...}; NaN where nothing was seen."""
        out = {}
        for name in QUANTITIES:
            n = self.count[name]
            out[f"{name}_mae"] = self.abs[name] / n if n else math.nan
            out[f"{name}_rmse"] = math.sqrt(self.sq[name] / n) if n else math.nan
        return out
