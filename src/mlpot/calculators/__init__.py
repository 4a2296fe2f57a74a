"""ASE calculators for mlpot potentials."""

from __future__ import annotations

from pathlib import Path

from mlpot.calculators.nnp import MlpotCalculator


def load_calculator(path: str | Path, **kwargs) -> MlpotCalculator:
    """An ASE calculator for the model file at `path`."""
    from mlpot.models.serialization import load_model

    return MlpotCalculator(load_model(path), **kwargs)


__all__ = ["MlpotCalculator", "load_calculator"]
