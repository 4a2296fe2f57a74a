"""ASE calculators for mlpot potentials of every family."""

from __future__ import annotations

from pathlib import Path

from mlpot.calculators.calculator import MlpotCalculator


def load_calculator(path: str | Path, **kwargs) -> MlpotCalculator:
    """An ASE calculator for the model file at `path`, of any family. `path` may also be an
    n2p2 potential directory (input.nn, scaling.data, weights.ZZZ.data) whose files are in
    eV and Å."""
    from mlpot.interop.n2p2 import is_potential_dir, read_potential
    from mlpot.models.serialization import load_model

    model = read_potential(Path(path)) if is_potential_dir(path) else load_model(path)
    return MlpotCalculator(model, **kwargs)


def load_calculator_or_ensemble(paths: list[str]):
    """load_calculator for one model file; an EnsembleCalculator (the members' mean) for
    several model files or an ensemble.json of `mlpot ensemble`."""
    if len(paths) == 1 and Path(paths[0]).suffix != ".json":
        return load_calculator(paths[0])
    from mlpot.uncertainty.ensemble_calculator import load_ensemble_calculator

    return load_ensemble_calculator(paths)


__all__ = ["MlpotCalculator", "load_calculator", "load_calculator_or_ensemble"]
