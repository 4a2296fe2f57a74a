"""ASE calculators for mlpot potentials of every family."""

from __future__ import annotations

from pathlib import Path

from mlpot.calculators.calculator import MlpotCalculator


def load_calculator(path: str | Path, units=None, **kwargs) -> MlpotCalculator:
    """An ASE calculator for the model file at `path`, of any family. `path` may also be an
    n2p2 potential directory (input.nn, scaling.data, weights.ZZZ.data); units: its files'
    FileUnits (None: eV and Å, unless the files look like Bohr and Hartree, which is
    refused)."""
    from mlpot.interop.n2p2 import is_potential_dir, read_potential
    from mlpot.models.serialization import load_model

    model = read_potential(Path(path), units) if is_potential_dir(path) else load_model(path)
    return MlpotCalculator(model, **kwargs)


def load_calculator_or_ensemble(paths: list[str], units=None):
    """load_calculator for one model file (units: of an n2p2 directory); an EnsembleCalculator
    (the members' mean) for several model files or an ensemble.json of `mlpot ensemble`."""
    if len(paths) == 1 and Path(paths[0]).suffix != ".json":
        return load_calculator(paths[0], units)
    from mlpot.uncertainty.ensemble_calculator import load_ensemble_calculator

    return load_ensemble_calculator(paths)


__all__ = ["MlpotCalculator", "load_calculator", "load_calculator_or_ensemble"]
