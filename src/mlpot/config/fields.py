"""Value types shared by the configuration sections: element symbols, per-element values, paths.

Unions are tagged (pydantic `Discriminator` + `Tag`) so that a wrong value gives one error
for the alternative that applies, not one per alternative; the tag texts double as the
description of the alternatives in error messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Discriminator, Field, Strict, Tag, ValidationInfo

from mlpot.errors import MlpotError

T = TypeVar("T")

SINGLE = "single value"
PER_ELEMENT = "mapping element -> value"


def suggest(word: str, choices: Iterable[str]) -> str:
    """The hint "; did you mean 'x'?" for the closest of `choices`, or "" if none is close."""
    choices = list(choices)
    by_case = {choice.lower(): choice for choice in choices}
    close = by_case.get(word.lower())
    if close is None:
        close = next(iter(difflib.get_close_matches(word, choices, n=1)), None)
    return f"; did you mean '{close}'?" if close is not None and close != word else ""


def check_symbol(symbol: str) -> str:
    """`symbol` if it is a chemical element symbol, else ValueError with a suggestion."""
    from ase.data import chemical_symbols

    if symbol not in chemical_symbols[1:]:
        hint = suggest(symbol, chemical_symbols[1:])
        raise ValueError(f"'{symbol}' is not a chemical element symbol{hint}")
    return symbol


ElementSymbol = Annotated[str, AfterValidator(check_symbol)]
"""A chemical element symbol, e.g. "Si" (case sensitive)."""


def _per_element_tag(value: Any) -> str:
    return PER_ELEMENT if isinstance(value, Mapping) else SINGLE


PerElement = Annotated[
    Annotated[T, Tag(SINGLE)] | Annotated[dict[ElementSymbol, T], Tag(PER_ELEMENT)],
    Discriminator(_per_element_tag),
]
"""One value for every element, or a mapping element symbol -> value."""


def per_element(
    value: T | Mapping[str, T], elements: Iterable[str], key: str = "value"
) -> dict[str, T]:
    """Expand a PerElement value to {element: value} for exactly `elements`.

    For elements known only once the data is read (config.elements None). Raises
    MlpotError naming `key` (e.g. "model.hidden") and the elements a mapping leaves out.
    """
    elements = list(elements)
    if not isinstance(value, Mapping):
        return {element: value for element in elements}
    missing = [element for element in elements if element not in value]
    if missing:
        raise MlpotError(
            f"{key} gives no value for {', '.join(missing)} (found in the data; values are "
            f"given for {', '.join(value) or 'none'}): add them or give one value for all"
        )
    return {element: value[element] for element in elements}


def _resolve_path(path: Path, info: ValidationInfo) -> Path:
    """Expand ~ and make a relative path relative to the configuration file's directory."""
    path = path.expanduser()
    base = (info.context or {}).get("base_dir")
    return path if path.is_absolute() or base is None else Path(base) / path


ConfigPath = Annotated[Path, Strict(False), AfterValidator(_resolve_path)]
"""A path; relative ones are resolved against the directory of the configuration file."""


def _check_selection(text: str) -> str:
    from mlpot.data.selection import parse_selection

    parse_selection(text)  # raises ValueError saying what a selection looks like
    return text.strip()


FrameSelection = Annotated[str, AfterValidator(_check_selection)]
"""Which frames of a file to read: an index ("5", "-1") or a slice ("100:2000:20", ":")."""


def _check_format(name: str) -> str:
    from ase.io.formats import ioformats

    from mlpot.data.readers import MLEARN, N2P2

    known = [MLEARN, N2P2, *ioformats]
    if name not in known:
        raise ValueError(
            f"'{name}' is not a file format: use {MLEARN}, {N2P2} or an ASE format name"
            f"{suggest(name, known)}"
        )
    return name


FileFormat = Annotated[str, AfterValidator(_check_format)]
"""A data file format: "mlearn", "n2p2" or an ASE format name ("extxyz", "vasp-out")."""

NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
PositiveInt = Annotated[int, Field(ge=1)]
