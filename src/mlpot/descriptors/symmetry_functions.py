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


def parse_n2p2_line(line: str) -> SymmetryFunction:
    """One `symfunction_short` body: "Si 2 Si eta rs rc" or "Si 3 Si Si eta lambda zeta rc [rs]".

    Raises ValueError naming what is wrong; callers add the file and line.
    """
    fields = line.split()
    if len(fields) < 2:
        raise ValueError(f"too few fields in symmetry function {line!r}")
    center, kind = fields[0], fields[1]
    try:
        if kind == "2" and len(fields) == 6:
            eta, rs, rc = map(float, fields[3:6])
            return RadialG2(center, fields[2], eta, rs, rc)
        if kind in ("3", "9") and len(fields) in (8, 9):
            eta, lam, zeta, rc = map(float, fields[4:8])
            rs = float(fields[8]) if len(fields) == 9 else 0.0
            cls = _ANGULAR_TYPES[int(kind)]
            return cls(center, _pair(fields[2], fields[3]), eta, lam, zeta, rc, rs)
        if kind == "9m" and len(fields) == 10:
            eta, lam, zeta, rc, rs, rs2 = map(float, fields[4:10])
            pair = _pair(fields[2], fields[3])
            return AngularG5Mixed(center, pair, eta, lam, zeta, rc, min(rs, rs2), max(rs, rs2))
    except ValueError as err:
        raise ValueError(f"non-numeric parameter in symmetry function {line!r}") from err
    raise ValueError(
        f"unsupported symmetry function {line!r}: expected type 2 "
        "'E 2 E eta rs rc', type 3/9 'E 3 E E eta lambda zeta rc [rs]', "
        "or type 9m 'E 9m E E eta lambda zeta rc rs rs2'"
    )


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
        partners = (sf.neighbor,) if isinstance(sf, RadialG2) else sf.neighbors
        if sf.center != element or any(p not in self.elements for p in partners):
            raise ValueError(f"symmetry function {sf.n2p2_line()!r} uses an unknown element")
        if sf.cutoff <= 0 or sf.eta < 0:
            raise ValueError(f"symmetry function {sf.n2p2_line()!r}: need cutoff > 0, eta >= 0")
        if isinstance(sf, AngularG4) and (abs(sf.lambda_) != 1 or sf.zeta < 1):
            raise ValueError(f"symmetry function {sf.n2p2_line()!r}: need lambda = +-1, zeta >= 1")

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
