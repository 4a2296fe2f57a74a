"""What a property check compares against: a calculator, or published numbers from a file.

A numbers file (.json, .yaml or .yml) has one section per check, holding the names of that
check's summary numbers (with their units in the name) and values: numbers, lists of numbers
or nested sections, e.g.

    eos: {bulk_modulus_GPa: 140.0}
    elastic: {C11_GPa: 168.4, C12_GPa: 121.4, C44_GPa: 75.4}
    surface: {"111": {surface_energy_J_m2: 1.79}}
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlpot.errors import MlpotError

NUMBER_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Reference:
    """A reference calculator (numbers None) or a file of numbers (calculator None)."""

    label: str
    calculator: Any = None
    numbers: dict[str, Any] | None = None

    def section(self, *keys: str) -> dict[str, Any]:
        """The numbers under keys (e.g. "surface", "111"); an error naming the file if absent."""
        assert self.numbers is not None, "section() needs a numbers reference"
        value: Any = self.numbers
        for depth, key in enumerate(keys):
            if not isinstance(value, dict) or key not in value:
                where = ".".join(keys[: depth + 1])
                raise MlpotError(
                    f"{self.label}: no section '{where}': add the reference "
                    f"numbers for this check under '{where}'"
                )
            value = value[key]
        if not isinstance(value, dict):
            raise MlpotError(f"{self.label}: '{'.'.join(keys)}' must map names to numbers")
        return value


def is_numbers_file(spec: str) -> bool:
    """Whether spec names a file of reference numbers (by its suffix)."""
    return Path(spec).suffix.lower() in NUMBER_SUFFIXES


def load_reference(spec: str) -> Reference:
    """A Reference from a numbers file (by its suffix) or any calculator spec."""
    if is_numbers_file(spec):
        return Reference(spec, numbers=read_numbers(spec))
    from mlpot.analysis.properties.calculators import calculator_from_spec

    return Reference(spec, calculator=calculator_from_spec(spec))


def read_numbers(path: str | Path) -> dict[str, Any]:
    """Read and check a JSON or YAML file of reference numbers."""
    path = Path(path)
    if not path.is_file():
        raise MlpotError(f"{path}: no such file: give a JSON or YAML file of reference numbers")
    text = path.read_text()
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MlpotError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise MlpotError(f"{path}{line}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise MlpotError(
            f"{path}: expected sections of named numbers, found a {type(data).__name__}"
        )
    _check_numbers(data, str(path), "")
    return data


def _check_numbers(value: Any, path: str, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, path, f"{where}.{key}" if where else str(key))
        return
    items = value if isinstance(value, list) else [value]
    if not items or not all(_is_number(item) for item in items):
        raise MlpotError(f"{path}: '{where}' is {value!r}: give a number or a list of numbers")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(model: dict[str, Any], reference: dict[str, Any], source: str) -> dict[str, Any]:
    """Model against reference for every key of reference (nested like it).

    Numbers give {model, reference, difference (model - reference), relative (difference /
    |reference|, None when the reference is 0)}; lists give the same elementwise plus
    max_abs_difference. A reference key the model lacks is an error naming source.
    """
    result: dict[str, Any] = {}
    for key, ref in reference.items():
        if key not in model:
            close = difflib.get_close_matches(str(key), [str(k) for k in model], n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(model)}"
            raise MlpotError(f"{source}: unknown reference number '{key}': {hint}")
        if isinstance(ref, dict):
            if not isinstance(model[key], dict):
                raise MlpotError(f"{source}: '{key}' is a single value, not a section")
            result[key] = compare(model[key], ref, source)
        else:
            result[key] = _difference(model[key], ref, f"{source}: '{key}'")
    return result


def _difference(model: Any, reference: Any, where: str) -> dict[str, Any]:
    m, r = np.asarray(model, dtype=float), np.asarray(reference, dtype=float)
    if m.shape != r.shape:
        raise MlpotError(
            f"{where}: {r.size} reference values for {m.size} computed ones: give "
            "one value per computed value"
        )
    difference = m - r
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(r != 0, difference / np.abs(r), np.nan)
    entry = {
        "model": m.tolist(),
        "reference": r.tolist(),
        "difference": difference.tolist(),
        "relative": np.where(np.isnan(relative), None, relative).tolist(),
    }
    if m.ndim:
        entry["max_abs_difference"] = float(np.max(np.abs(difference))) if m.size else 0.0
    return entry
