"""Explicit symmetry functions written as n2p2 `symfunction_short` lines.

Radial G2 (n2p2 type 2), "Si 2 O 0.01 0.0 6.0":
    centre, type, neighbour, eta, rs, rc
Angular G4 / G5 (n2p2 types 3 and 9), "Si 3 Si O 0.01 -1 1.0 6.0":
    centre, type, neighbour 1, neighbour 2, eta, lambda, zeta, rc, and optionally rs
G5 on two shells (mlpot's type 9m), "Si 9m Si Si 0.5 1 4.0 6.0 2.3 3.6":
    as type 9 with rs and rs2, one neighbour near each
Units: eta in 1/Å^2, rs and rc in Å. A leading "symfunction_short" is accepted and dropped.
"""

from __future__ import annotations

import math
from typing import Annotated, NamedTuple

from pydantic import AfterValidator

from mlpot.config.fields import check_symbol

RADIAL = 2
ANGULAR = (3, 9)
RADIAL_TOKEN, TWO_SHELL_TOKEN = "2", "9m"
_PREFIX = "symfunction_short"


class SymmetryFunctionLine(NamedTuple):
    """One parsed line; `neighbours` has one symbol (radial) or two (angular); rs2 is set for
    type 9m only (kind 9)."""

    centre: str
    kind: int
    neighbours: tuple[str, ...]
    eta: float
    rc: float
    rs: float = 0.0
    lambda_: float = 1.0
    zeta: float = 1.0
    rs2: float | None = None

    def to_line(self) -> str:
        """The canonical line text (without the symfunction_short prefix)."""
        kind = f"{self.kind}m" if self.rs2 is not None else str(self.kind)
        head = [self.centre, kind, *self.neighbours, _num(self.eta)]
        if self.kind == RADIAL:
            return " ".join([*head, _num(self.rs), _num(self.rc)])
        tail = [str(int(self.lambda_)), _num(self.zeta), _num(self.rc), _num(self.rs)]
        return " ".join(head + tail + ([] if self.rs2 is None else [_num(self.rs2)]))


def parse_symmetry_line(line: str) -> SymmetryFunctionLine:
    """Parse and check one line; ValueError says what is wrong and what the line should hold."""
    tokens = line.split()
    if tokens and tokens[0] == _PREFIX:
        tokens = tokens[1:]
    if len(tokens) < 2 or tokens[1] not in {"2", "3", "9", "9m"}:
        raise ValueError(
            f"'{line}': the second field must be the type 2 (radial), 3 or 9 (angular), "
            "or 9m (angular on two shells)"
        )
    if tokens[1] == RADIAL_TOKEN:
        parsed = _radial(tokens)
    elif tokens[1] == TWO_SHELL_TOKEN:
        parsed = _two_shell(tokens)
    else:
        parsed = _angular(tokens, int(tokens[1]))
    _check_ranges(parsed, line)
    return parsed


def _radial(tokens: list[str]) -> SymmetryFunctionLine:
    if len(tokens) != 6:
        raise ValueError(
            f"'{' '.join(tokens)}': a type 2 line has 6 fields: centre 2 neighbour eta rs rc"
        )
    centre, _, neighbour, eta, rs, rc = tokens
    return SymmetryFunctionLine(
        check_symbol(centre),
        RADIAL,
        (check_symbol(neighbour),),
        eta=_float(eta, "eta"),
        rs=_float(rs, "rs"),
        rc=_float(rc, "rc"),
    )


def _angular(tokens: list[str], kind: int) -> SymmetryFunctionLine:
    if len(tokens) not in (8, 9):
        raise ValueError(
            f"'{' '.join(tokens)}': a type {kind} line has 8 or 9 fields: "
            f"centre {kind} neighbour1 neighbour2 eta lambda zeta rc [rs]"
        )
    centre, _, first, second, eta, lambda_, zeta, rc = tokens[:8]
    rs = _float(tokens[8], "rs") if len(tokens) == 9 else 0.0
    return SymmetryFunctionLine(
        check_symbol(centre),
        kind,
        (check_symbol(first), check_symbol(second)),
        eta=_float(eta, "eta"),
        rc=_float(rc, "rc"),
        rs=rs,
        lambda_=_float(lambda_, "lambda"),
        zeta=_float(zeta, "zeta"),
    )


def _two_shell(tokens: list[str]) -> SymmetryFunctionLine:
    if len(tokens) != 10:
        raise ValueError(
            f"'{' '.join(tokens)}': a type 9m line has 10 fields: "
            "centre 9m neighbour1 neighbour2 eta lambda zeta rc rs rs2"
        )
    parsed = _angular(tokens[:9], 9)
    return parsed._replace(rs2=_float(tokens[9], "rs2"))


def _check_ranges(sf: SymmetryFunctionLine, line: str) -> None:
    problems = [
        (sf.eta < 0, f"eta must be >= 0, found {sf.eta}"),
        (sf.rs < 0, f"rs must be >= 0, found {sf.rs}"),
        (sf.rs2 is not None and sf.rs2 < 0, f"rs2 must be >= 0, found {sf.rs2}"),
        (sf.rc <= 0, f"rc must be > 0, found {sf.rc}"),
        (sf.lambda_ not in (-1.0, 1.0), f"lambda must be -1 or 1, found {sf.lambda_}"),
        (sf.zeta < 1, f"zeta must be >= 1, found {sf.zeta}"),
    ]
    wrong = [message for failed, message in problems if failed]
    if wrong:
        raise ValueError(f"'{line}': {'; '.join(wrong)}")


def _float(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, found '{text}'")
    return value


def _num(value: float) -> str:
    return repr(float(value))


def _normalise(line: str) -> str:
    return parse_symmetry_line(line).to_line()


SymmetryLine = Annotated[str, AfterValidator(_normalise)]
"""A checked n2p2 symmetry-function line, stored in canonical form."""
