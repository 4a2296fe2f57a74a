"""ASE calculators for mlpot potentials of every family."""

from __future__ import annotations

from pathlib import Path

from mlpot.calculators.calculator import MlpotCalculator


def load_calculator(path: str | Path, units=None, **kwargs):
    """An ASE calculator for the model file at `path`, of any family (an MlpotCalculator).
    `path` may also be an n2p2 potential directory (input.nn, scaling.data, weights.ZZZ.data);
    units: its files' FileUnits (None: eV and Å, unless the files look like Bohr and Hartree,
    which is refused). Or `path` is a universal pretrained model: a name (sevennet-0,
    sevennet-mf-0[:FIDELITY], sevennet-l3i5, chgnet) or a SevenNet, CHGNet or MACE model file
    (see mlpot.universal; kwargs then go to its package's calculator)."""
    from mlpot.interop.n2p2 import is_potential_dir, read_potential
    from mlpot.models.serialization import load_model
    from mlpot.universal import parse_spec, universal_calculator

    universal = parse_spec(path)
    if universal is not None:
        return universal_calculator(universal, **kwargs)
    model = read_potential(Path(path), units) if is_potential_dir(path) else load_model(path)
    return type(model).calculator_type()(model, **kwargs)


def load_calculator_or_ensemble(paths: list[str], units=None, fidelity: str | None = None):
    """load_calculator for one model file (units: of an n2p2 directory); an EnsembleCalculator
    (the members' mean) for several model files or an ensemble.json of `mlpot ensemble`;
    fidelity: of multi-fidelity models, the one to predict at (None: their target)."""
    from mlpot.errors import MlpotError
    from mlpot.universal import is_universal

    universal = [path for path in paths if is_universal(path)]
    if fidelity is not None and universal:
        raise MlpotError(
            f"{universal[0]} is a universal model: name its fidelity as MODEL:FIDELITY "
            "(sevennet-mf-0:NAME) instead of --fidelity"
        )
    options = {} if fidelity is None else {"fidelity": fidelity}
    if len(paths) == 1 and Path(paths[0]).suffix != ".json":
        return load_calculator(paths[0], units, **options)
    if universal:
        raise MlpotError(
            f"{universal[0]} is a universal model: a committee holds mlpot model files only; "
            "give it alone"
        )
    from mlpot.uncertainty.ensemble_calculator import load_ensemble_calculator

    return load_ensemble_calculator(paths, **options)


__all__ = ["MlpotCalculator", "load_calculator", "load_calculator_or_ensemble"]
