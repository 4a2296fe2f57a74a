"""Atom-centred symmetry functions (Behler-Parrinello), with n2p2's definitions.

For a central atom i with neighbours j, k (r_ij = |R_j - R_i|, cos(theta_ijk) from r_ij and r_ik):

    G2 (n2p2 type 2, radial, neighbour element e):
        G = sum_{j in e} exp(-eta (r_ij - r_s)^2) f_c(r_ij)

    G4 (n2p2 type 3, narrow angular, neighbour elements {e1, e2}):
        G = 2^(1 - zeta) sum_{j < k} (1 + lambda cos theta_ijk)^zeta
            exp(-eta [(r_ij - r_s)^2 + (r_ik - r_s)^2 + (r_jk - r_s)^2])
            f_c(r_ij) f_c(r_ik) f_c(r_jk)

    G5 (n2p2 type 9, wide angular, neighbour elements {e1, e2}):
        G = 2^(1 - zeta) sum_{j < k} (1 + lambda cos theta_ijk)^zeta
            exp(-eta [(r_ij - r_s)^2 + (r_ik - r_s)^2]) f_c(r_ij) f_c(r_ik)

    G5 on two shells (mlpot's type "9m", not in n2p2): as G5 with the radial factor
            (R_s(r_ij) R_s2(r_ik) + R_s2(r_ij) R_s(r_ik)) / 2
        where R_s(r) = exp(-eta (r - r_s)^2) f_c(r): one neighbour near r_s, the other near
        r_s2 (with r_s2 = r_s it is G5)

The angular sums run over each unordered neighbour pair once, restricted to pairs whose elements
are {e1, e2}. Units: eta in 1/Å^2, r_s and cutoff in Å.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from mlpot.descriptors.cutoffs import CutoffFunction


@dataclass(frozen=True)
class RadialG2:
    center: str
    neighbor: str
    eta: float
    rs: float
    cutoff: float

    n2p2_type = 2

    def n2p2_line(self) -> str:
        return f"{self.center} 2 {self.neighbor} {self.eta!r} {self.rs!r} {self.cutoff!r}"


@dataclass(frozen=True)
class AngularG4:
    center: str
    neighbors: tuple[str, str]
    eta: float
    lambda_: float
    zeta: float
    cutoff: float
    rs: float = 0.0

    n2p2_type = 3

    def n2p2_line(self) -> str:
        e1, e2 = self.neighbors
        line = (
            f"{self.center} {self.n2p2_type} {e1} {e2} {self.eta!r} {self.lambda_:g} "
            f"{self.zeta!r} {self.cutoff!r}"
        )
        return line + (f" {self.rs!r}" if self.rs else "")


@dataclass(frozen=True)
class AngularG5(AngularG4):
    n2p2_type = 9


@dataclass(frozen=True)
class AngularG5Mixed(AngularG5):
    rs2: float = 0.0

    n2p2_type = None  # n2p2 has no such function

    def n2p2_line(self) -> str:
        e1, e2 = self.neighbors
        return (
            f"{self.center} 9m {e1} {e2} {self.eta!r} {self.lambda_:g} {self.zeta!r} "
            f"{self.cutoff!r} {self.rs!r} {self.rs2!r}"
        )


SymmetryFunction = RadialG2 | AngularG4 | AngularG5 | AngularG5Mixed
_ANGULAR_TYPES = {3: AngularG4, 9: AngularG5}


_PREFIX = "symfunction_short"
_LAYOUTS = {
    "2": "centre 2 neighbour eta rs rc",
    "3": "centre 3 neighbour1 neighbour2 eta lambda zeta rc [rs]",
    "9": "centre 9 neighbour1 neighbour2 eta lambda zeta rc [rs]",
    "9m": "centre 9m neighbour1 neighbour2 eta lambda zeta rc rs rs2",
}


def parse_n2p2_line(line: str) -> SymmetryFunction:
    """One `symfunction_short` line (the keyword itself optional): "Si 2 Si eta rs rc",
    "Si 3 Si Si eta lambda zeta rc [rs]" (also type 9), "Si 9m Si Si eta lambda zeta rc rs rs2".

    Raises ValueError naming what is wrong and the expected fields; callers add the file and
    line. Ranges are checked by `range_problems`.
    """
    fields = line.split()
    if fields and fields[0] == _PREFIX:
        fields = fields[1:]
    kind = fields[1] if len(fields) > 1 else None
    if kind not in _LAYOUTS:
        raise ValueError(
            f"'{line}': the second field must be the type 2 (radial), 3 or 9 (angular), "
            "or 9m (angular on two shells)"
        )
    names = _LAYOUTS[kind].replace("[", "").replace("]", "").split()
    counts = (len(names) - 1, len(names)) if "[" in _LAYOUTS[kind] else (len(names),)
    if len(fields) not in counts:
        numbers = " or ".join(str(n) for n in counts)
        raise ValueError(f"'{line}': a type {kind} line has {numbers} fields: {_LAYOUTS[kind]}")
    first = 3 if kind == "2" else 4
    given = zip(names[first:], fields[first:], strict=False)  # an optional rs may be absent
    values = {name: _number(text, name) for name, text in given}
    center = fields[0]
    if kind == "2":
        return RadialG2(center, fields[2], values["eta"], values["rs"], values["rc"])
    pair = _pair(fields[2], fields[3])
    eta, lam, zeta, rc = (values[name] for name in ("eta", "lambda", "zeta", "rc"))
    rs = values.get("rs", 0.0)
    if kind == "9m":
        rs, rs2 = sorted((rs, values["rs2"]))
        return AngularG5Mixed(center, pair, eta, lam, zeta, rc, rs, rs2)
    return _ANGULAR_TYPES[int(kind)](center, pair, eta, lam, zeta, rc, rs)


def neighbour_elements(sf: SymmetryFunction) -> tuple[str, ...]:
    """The neighbour element(s) of a function: one for radial, two for angular."""
    return (sf.neighbor,) if isinstance(sf, RadialG2) else sf.neighbors


def range_problems(sf: SymmetryFunction) -> list[str]:
    """What is out of range in `sf` (empty when nothing is)."""
    checks = [
        (sf.eta < 0, f"eta must be >= 0, found {sf.eta:g}"),
        (sf.cutoff <= 0, f"rc must be > 0, found {sf.cutoff:g}"),
    ]
    if isinstance(sf, AngularG4):
        checks += [
            (sf.lambda_ not in (-1.0, 1.0), f"lambda must be -1 or 1, found {sf.lambda_:g}"),
            (sf.zeta < 1, f"zeta must be >= 1, found {sf.zeta:g}"),
        ]
    return [message for failed, message in checks if failed]


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, found '{text}'")
    return value


def _pair(e1: str, e2: str) -> tuple[str, str]:
    return (e1, e2) if e1 <= e2 else (e2, e1)


@dataclass(frozen=True)
class SymmetryFunctionSet:
    """The descriptor definition: per central element, an ordered tuple of symmetry functions.

    Column c of an atom's descriptor vector is `functions[element][c]`.
    """

    elements: tuple[str, ...]
    functions: dict[str, tuple[SymmetryFunction, ...]]
    cutoff_function: CutoffFunction = field(default_factory=CutoffFunction)

    def __post_init__(self) -> None:
        for element in self.elements:
            if not self.functions.get(element):
                raise ValueError(f"no symmetry functions for element {element}")
        for element, sfs in self.functions.items():
            if element not in self.elements:
                raise ValueError(f"symmetry functions given for {element}, not in {self.elements}")
            for sf in sfs:
                self._check(element, sf)

    def _check(self, element: str, sf: SymmetryFunction) -> None:
        if sf.center != element or any(p not in self.elements for p in neighbour_elements(sf)):
            raise ValueError(f"symmetry function {sf.n2p2_line()!r} uses an unknown element")
        problems = range_problems(sf)
        if problems:
            raise ValueError(f"symmetry function {sf.n2p2_line()!r}: {'; '.join(problems)}")

    @property
    def cutoff(self) -> float:
        """Largest cutoff radius of the set, Å."""
        return max(sf.cutoff for sfs in self.functions.values() for sf in sfs)

    def n_features(self, element: str) -> int:
        return len(self.functions[element])

    @property
    def max_features(self) -> int:
        return max(len(sfs) for sfs in self.functions.values())

    def n2p2_lines(self) -> list[str]:
        return [sf.n2p2_line() for e in self.elements for sf in self.functions[e]]

    @classmethod
    def from_n2p2_lines(
        cls, lines: list[str], elements: list[str], cutoff_function: CutoffFunction
    ) -> SymmetryFunctionSet:
        per_element: dict[str, list[SymmetryFunction]] = {e: [] for e in elements}
        for line in lines:
            sf = parse_n2p2_line(line)
            if sf.center not in per_element:
                raise ValueError(
                    f"symmetry function {line!r}: element {sf.center} not in {elements}"
                )
            per_element[sf.center].append(sf)
        return cls(tuple(elements), {e: tuple(v) for e, v in per_element.items()}, cutoff_function)

    def to_dict(self) -> dict:
        return {
            "elements": list(self.elements),
            "cutoff_function": asdict(self.cutoff_function),
            "functions": {e: [sf.n2p2_line() for sf in sfs] for e, sfs in self.functions.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> SymmetryFunctionSet:
        functions = {
            e: tuple(parse_n2p2_line(line) for line in lines)
            for e, lines in data["functions"].items()
        }
        return cls(
            tuple(data["elements"]), functions, CutoffFunction(**data["cutoff_function"])
        )
