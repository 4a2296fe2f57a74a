"""Uncertainty of a potential: committees (ensembles), the atomic-energy ensemble, and
extrapolation detection from the training range of the descriptors.

EnsembleCalculator(models) is an ASE calculator with the committee mean as its energy, forces
and stress, and energy_std, energies_std, forces_deviation, max_force_deviation and
extrapolation as extra results. mlpot.uncertainty.train_ensemble.train_ensemble trains the
members from one configuration. Names are imported on first use, so that mlpot.models can
import the range module without importing the calculators.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "EnsembleCalculator": "mlpot.uncertainty.ensemble_calculator",
    "load_ensemble_calculator": "mlpot.uncertainty.ensemble_calculator",
    "Thresholds": "mlpot.uncertainty.monitor",
    "DescriptorRange": "mlpot.models.descriptor_range",
    "count_extrapolations": "mlpot.uncertainty.extrapolation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mlpot.uncertainty' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
