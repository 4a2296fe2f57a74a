"""Cutoff functions f_c(r), with n2p2's names and definitions.

With the inner radius r_ci = alpha * r_c and x = (r - r_ci) / (r_c - r_ci), for r_ci <= r < r_c:

    cos     f = (cos(pi x) + 1) / 2                               (n2p2 type 1)
    tanhu   f = tanh^3(1 - r / r_c)                               (type 2, alpha unused)
    tanh    f = tanh^3(1 - r / r_c) / tanh^3(1)                   (type 3, alpha unused)
    exp     f = exp(1 - 1 / (1 - x^2))                            (type 4)
    poly1   f = (2x - 3) x^2 + 1                                  (type 5)
    poly2   f = ((15 - 6x) x - 10) x^3 + 1                        (type 6)
    poly3   f = (x (x (20x - 70) + 84) - 35) x^4 + 1              (type 7)
    poly4   f = (x (x (x (315 - 70x) - 540) + 420) - 126) x^5 + 1 (type 8)
    hard    f = 1                                                 (type 0)

f = 1 for r < r_ci and f = 0 for r >= r_c. The kernels evaluate these by integer code.
"""

from __future__ import annotations

from dataclasses import dataclass

CUTOFF_CODES: dict[str, int] = {
    "hard": 0,
    "cos": 1,
    "tanhu": 2,
    "tanh": 3,
    "exp": 4,
    "poly1": 5,
    "poly2": 6,
    "poly3": 7,
    "poly4": 8,
}
CUTOFF_NAMES: dict[int, str] = {code: name for name, code in CUTOFF_CODES.items()}


@dataclass(frozen=True)
class CutoffFunction:
    """The cutoff shape shared by all symmetry functions of a set (as in n2p2's `cutoff_type`)."""

    kind: str = "cos"
    alpha: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in CUTOFF_CODES:
            raise ValueError(
                f"unknown cutoff function {self.kind!r}; choose one of {sorted(CUTOFF_CODES)}"
            )
        if not 0.0 <= self.alpha < 1.0:
            raise ValueError(f"cutoff alpha must lie in [0, 1), got {self.alpha}")

    @property
    def code(self) -> int:
        return CUTOFF_CODES[self.kind]
