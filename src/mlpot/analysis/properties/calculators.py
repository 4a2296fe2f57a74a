"""ASE calculators named on the command line: a model file, an ASE name, or module:factory.

calculator_from_spec("model.pt")          an mlpot model file
calculator_from_spec("sevennet-0")        a universal model (mlpot.universal; a name or file)
calculator_from_spec("emt")               ase.calculators.calculator.get_calculator_class("emt")()
calculator_from_spec("mypkg.dft:make")    mypkg.dft.make() (a class or a function, no arguments)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from mlpot.errors import MlpotError

SPEC_HELP = (
    "an mlpot model file, a universal model (sevennet-0, chgnet, ... or its file), an ASE "
    "calculator name (emt, lj, ...) or an import path module:factory"
)


def calculator_from_spec(spec: str) -> Any:
    """The ASE calculator that spec names (see the module docstring)."""
    from mlpot.universal import is_universal

    if Path(spec).is_file() or is_universal(spec):
        from mlpot import calculators

        return calculators.load_calculator(spec)
    if ":" in spec:
        return _from_import_path(spec)
    return _from_ase_name(spec)


def _from_import_path(spec: str) -> Any:
    module_name, _, factory_name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), factory_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise MlpotError(
            f"calculator {spec!r}: cannot import {factory_name!r} from "
            f"{module_name!r} ({exc}): check the module path"
        ) from exc
    return _checked(factory(), spec)


def _from_ase_name(spec: str) -> Any:
    from ase.calculators.calculator import get_calculator_class

    try:
        calculator_class = get_calculator_class(spec.lower())
    except (ImportError, AttributeError, ValueError) as exc:
        raise MlpotError(
            f"calculator {spec!r}: no such file and no ASE calculator of that "
            f"name ({exc}): give {SPEC_HELP}"
        ) from exc
    try:
        calculator = calculator_class()
    except Exception as exc:  # calculators fail in their own ways without settings
        raise MlpotError(
            f"calculator {spec!r} cannot be made without settings ({exc}): write "
            "a factory function and give it as module:factory"
        ) from exc
    return _checked(calculator, spec)


def _checked(calculator: Any, spec: str) -> Any:
    if not hasattr(calculator, "get_potential_energy"):
        raise MlpotError(
            f"calculator {spec!r} gave a {type(calculator).__name__}, not an ASE "
            "calculator: the factory must return one"
        )
    return calculator
