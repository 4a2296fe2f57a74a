"""Scoring an ensemble on the fixed held-out frames: errors against the oracle's labels and
the fraction of frames the ensemble flags as uncertain."""

from __future__ import annotations

import numpy as np

from mlpot.active.explore import uncertainty_of
from mlpot.analysis.errors import Predictions, error_report
from mlpot.data.frame import Frame


def score_ensemble(calc, frames: list[Frame], measure: str, lower: float) -> dict[str, float]:
    """Errors of the ensemble mean and uncertainty on frames.

    energy_rmse/mae in meV/atom, forces_rmse/mae in eV/Å (components), flagged_fraction the
    fraction of frames whose `measure` is >= lower, mean_uncertainty its mean (eV/Å or eV/atom).
    """
    energies, forces, measures = [], [], []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        measures.append(uncertainty_of(atoms)[measure])
        energies.append(atoms.get_potential_energy())
        forces.append(np.array(atoms.get_forces(), dtype=float))
    predictions = Predictions(np.array(energies), forces, [None] * len(frames))
    overall = error_report(frames, predictions).overall
    return {
        "holdout_energy_rmse": overall.energy.rmse,
        "holdout_energy_mae": overall.energy.mae,
        "holdout_forces_rmse": overall.forces.rmse,
        "holdout_forces_mae": overall.forces.mae,
        "holdout_flagged_fraction": float(np.mean(np.array(measures) >= lower)),
        "holdout_mean_uncertainty": float(np.mean(measures)),
    }
