"""SIMPLE-NN's symmetry functions and their exact mlpot equivalents.

SIMPLE-NN (features/symmetry_function, pair_nn) defines, with the cosine cutoff
f_c(r) = (1 + cos(pi r / R_c)) / 2 for r < R_c and 0 beyond, r in Å and eta in 1/Å^2:

    type 2 (G2): sum_j exp(-eta (r_ij - R_s)^2) f_c(r_ij)
    type 4 (G4): 2^(1 - zeta) sum_{j<k} (1 + lambda cos theta_ijk)^zeta
                 exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) f_c(r_ij) f_c(r_ik) f_c(r_jk)
    type 5 (G5): 2^(1 - zeta) sum_{j<k} (1 + lambda cos theta_ijk)^zeta
                 exp(-eta (r_ij^2 + r_ik^2)) f_c(r_ij) f_c(r_ik)

These are mlpot's RadialG2, AngularG4 and AngularG5 (n2p2 types 2, 3, 9) with the "cos" cutoff,
alpha 0 and, for G4/G5, r_s = 0. Each function has four numbers in SIMPLE-NN's order
(R_c, eta, third, fourth): third is R_s for G2 and zeta for G4/G5, fourth is lambda for G4/G5
(unused by G2). The functions here raise ValueError; the file readers add file and line.
"""

from __future__ import annotations

from typing import NamedTuple

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    RadialG2,
    SymmetryFunction,
)

RADIAL, NARROW, WIDE = 2, 4, 5
TYPES = {RADIAL: "G2", NARROW: "G4", WIDE: "G5"}
CUTOFF_FUNCTION = CutoffFunction("cos", 0.0)


class SimpleNNFunction(NamedTuple):
    """One SIMPLE-NN symmetry function of a central atom: type, neighbour element(s), and the
    four numbers (cutoff Å, eta 1/Å^2, third, fourth) in SIMPLE-NN's order."""

    kind: int
    neighbours: tuple[str, ...]
    cutoff: float
    eta: float
    third: float
    fourth: float


def check_kind(kind: int) -> None:
    if kind not in TYPES:
        raise ValueError(
            f"unknown symmetry function type {kind}; SIMPLE-NN defines 2 (G2), 4 (G4) and 5 (G5)"
        )


def to_mlpot(center: str, function: SimpleNNFunction) -> SymmetryFunction:
    """The mlpot function that computes exactly what `function` computes for atoms of `center`."""
    check_kind(function.kind)
    if function.cutoff <= 0 or function.eta < 0:
        raise ValueError(
            f"cutoff {function.cutoff} and eta {function.eta}: need cutoff > 0 and eta >= 0"
        )
    if function.kind == RADIAL:
        return RadialG2(
            center, function.neighbours[0], function.eta, function.third, function.cutoff
        )
    zeta, lambda_ = function.third, function.fourth
    if lambda_ not in (-1.0, 1.0):
        raise ValueError(f"lambda {lambda_:g}: mlpot's angular functions need lambda = 1 or -1")
    if zeta < 1:
        raise ValueError(f"zeta {zeta:g}: SIMPLE-NN and mlpot need zeta >= 1")
    cls = AngularG4 if function.kind == NARROW else AngularG5
    pair = tuple(sorted(function.neighbours[:2]))
    return cls(center, pair, function.eta, lambda_, zeta, function.cutoff)


def from_mlpot(sf: SymmetryFunction) -> SimpleNNFunction:
    """The SIMPLE-NN function equal to `sf`; ValueError where SIMPLE-NN has none."""
    if isinstance(sf, RadialG2):
        return SimpleNNFunction(RADIAL, (sf.neighbor,), sf.cutoff, sf.eta, sf.rs, 0.0)
    if sf.n2p2_type is None:
        raise ValueError(
            f"symmetry function '{sf.n2p2_line()}' has its two neighbours on two shells; "
            "SIMPLE-NN has no such function, so this model cannot be written in its format"
        )
    if sf.rs != 0:
        raise ValueError(
            f"symmetry function '{sf.n2p2_line()}' has r_s = {sf.rs:g}; SIMPLE-NN's G4 and G5 "
            "have no r_s (it is 0), so this model cannot be written in its format"
        )
    kind = WIDE if isinstance(sf, AngularG5) else NARROW
    return SimpleNNFunction(kind, tuple(sf.neighbors), sf.cutoff, sf.eta, sf.zeta, sf.lambda_)


def check_cutoff_function(cutoff_function: CutoffFunction) -> None:
    """ValueError unless `cutoff_function` is SIMPLE-NN's (cos, no inner radius)."""
    if cutoff_function != CUTOFF_FUNCTION:
        raise ValueError(
            f"the model uses the '{cutoff_function.kind}' cutoff function with alpha "
            f"{cutoff_function.alpha:g}; SIMPLE-NN knows only 'cos' with alpha 0"
        )
