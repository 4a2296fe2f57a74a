"""Explicit symmetry functions written as n2p2 `symfunction_short` lines.

Radial G2 (n2p2 type 2), "Si 2 O 0.01 0.0 6.0":
    centre, type, neighbour, eta, rs, rc
Angular G4 / G5 (n2p2 types 3 and 9), "Si 3 Si O 0.01 -1 1.0 6.0":
    centre, type, neighbour 1, neighbour 2, eta, lambda, zeta, rc, and optionally rs
G5 on two shells (mlpot's type 9m), "Si 9m Si Si 0.5 1 4.0 6.0 2.3 3.6":
    as type 9 with rs and rs2, one neighbour near each
Units: eta in 1/Å^2, rs and rc in Å. A leading "symfunction_short" is accepted and dropped.
The fields are read by mlpot.descriptors.symmetry_functions.parse_n2p2_line; this module adds
the element-symbol and range checks and the canonical text.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from mlpot.config.fields import check_symbol
from mlpot.descriptors.symmetry_functions import (
    SymmetryFunction,
    neighbour_elements,
    parse_n2p2_line,
    range_problems,
)


def parse_symmetry_line(line: str) -> SymmetryFunction:
    """Parse and check one line; ValueError says what is wrong and what the line should hold."""
    sf = parse_n2p2_line(line)
    for symbol in (sf.center, *neighbour_elements(sf)):
        check_symbol(symbol)
    problems = range_problems(sf)
    if sf.rs < 0:
        problems.append(f"rs must be >= 0, found {sf.rs:g}")
    if problems:
        raise ValueError(f"'{line}': {'; '.join(problems)}")
    return sf


def _normalise(line: str) -> str:
    return parse_symmetry_line(line).n2p2_line()


SymmetryLine = Annotated[str, AfterValidator(_normalise)]
"""A checked n2p2 symmetry-function line, stored in canonical form."""
