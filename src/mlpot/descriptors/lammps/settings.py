"""SNAP bispectrum settings: the parameters of LAMMPS's `descriptor sna` and `compute snap`.

For a central atom of element a and a neighbour of element b at distance r, the neighbour
counts when r < R_ab = rcutfac * (radelem[a] + radelem[b]) (Å); it enters the density with
weight wj[b] and the switching function (cos(pi (r - rmin0) / (R_ab - rmin0)) + 1) / 2.
The descriptor of every atom is the list of bispectrum components B_{j1 j2 j} with
j <= twojmax / 2 (n_bispectrum(twojmax) of them; with chemflag, one block per ordered element
triple), minus the value of an isolated atom when bzeroflag is set. See the LAMMPS manual,
"compute sna/atom" and "pair_style mliap".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mlpot.errors import MlpotError


def n_bispectrum(twojmax: int) -> int:
    """Number of bispectrum components B_{j1 j2 j} for band limit twojmax (one element)."""
    count = 0
    for j1 in range(twojmax + 1):
        for j2 in range(j1 + 1):
            count += sum(j >= j1 for j in range(j1 - j2, min(twojmax, j1 + j2) + 1, 2))
    return count


@dataclass(frozen=True)
class SnapSettings:
    """Everything that defines the SNAP descriptor of a model.

    elements: element symbols, in the order of the networks and of the ML-IAP files
    radelem:  (n_elements,) radius of each element, Å (scaled by rcutfac into the cutoffs)
    wj:       (n_elements,) neighbour weight of each element (dimensionless)
    """

    elements: tuple[str, ...]
    twojmax: int
    rcutfac: float
    radelem: tuple[float, ...]
    wj: tuple[float, ...]
    rfac0: float = 0.99363
    rmin0: float = 0.0
    switchflag: bool = True
    bzeroflag: bool = True
    bnormflag: bool = False
    chemflag: bool = False
    wselfallflag: bool = False

    kind: ClassVar[str] = "snap"
    FLAGS: ClassVar[tuple[str, ...]] = (
        "switchflag",
        "bzeroflag",
        "bnormflag",
        "chemflag",
        "wselfallflag",
    )

    def __post_init__(self) -> None:
        n = len(self.elements)
        if n == 0 or len(set(self.elements)) != n:
            raise MlpotError(f"SNAP settings need distinct elements, got {self.elements}")
        if len(self.radelem) != n or len(self.wj) != n:
            raise MlpotError(
                f"SNAP settings: give one radelem and one wj per element {self.elements} "
                f"(got {len(self.radelem)} and {len(self.wj)})"
            )
        if self.twojmax < 0 or self.rcutfac <= 0 or min(self.radelem) <= 0:
            raise MlpotError("SNAP settings: need twojmax >= 0, rcutfac > 0 and radelem > 0")
        if not 0 < self.rfac0 <= 1 or not 0 <= self.rmin0 < self.cutoff:
            raise MlpotError("SNAP settings: need 0 < rfac0 <= 1 and 0 <= rmin0 < cutoff")

    def n_features(self, element: str) -> int:
        """Descriptor length (the same for every element)."""
        return self.max_features

    @property
    def max_features(self) -> int:
        blocks = len(self.elements) ** 3 if self.chemflag else 1
        return n_bispectrum(self.twojmax) * blocks

    def pair_cutoff(self, a: int, b: int) -> float:
        """Cutoff radius, Å, between elements with indices a and b."""
        return self.rcutfac * (self.radelem[a] + self.radelem[b])

    @property
    def cutoff(self) -> float:
        """Largest pair cutoff, Å."""
        return 2.0 * self.rcutfac * max(self.radelem)

    def to_dict(self) -> dict:
        data = {
            "kind": self.kind,
            "elements": list(self.elements),
            "twojmax": self.twojmax,
            "rcutfac": self.rcutfac,
            "radelem": list(self.radelem),
            "wj": list(self.wj),
            "rfac0": self.rfac0,
            "rmin0": self.rmin0,
        }
        return data | {flag: bool(getattr(self, flag)) for flag in self.FLAGS}

    @classmethod
    def from_dict(cls, data: dict) -> SnapSettings:
        fields = {k: v for k, v in data.items() if k != "kind"}
        for key in ("elements", "radelem", "wj"):
            fields[key] = tuple(fields[key])
        fields["radelem"] = tuple(float(x) for x in fields["radelem"])
        fields["wj"] = tuple(float(x) for x in fields["wj"])
        return cls(**fields)
