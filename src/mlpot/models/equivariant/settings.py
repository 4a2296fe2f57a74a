"""Hyperparameters of the equivariant message-passing family, and the irreps they imply."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from e3nn import o3

from mlpot.errors import MlpotError


@dataclass(frozen=True)
class EquivariantSettings:
    """Size and shape of an equivariant potential (MACE/NequIP design space).

    channels:            feature channels per irrep (multiplicity)
    l_max:               largest degree of the edge spherical harmonics and of the
                         many-body features
    hidden_l_max:        largest degree of the node features passed between layers
                         (0: scalars only, the cheapest messages; 1: scalars and vectors)
    correlation:         body order of the node product: products of up to this many
                         neighbour densities (correlation 3 = 4-body features)
    interactions:        number of message-passing layers, 1 to 3
    radial_basis:        number of Bessel functions of the distance
    radial_hidden:       hidden widths of the radial network (shared by all layers)
    envelope_p:          exponent p of the polynomial cutoff envelope (smooth to order p)
    average_neighbours:  neighbour sums are divided by this (the data's mean neighbour count)
    readout_hidden:      width of the hidden layer of the MLP energy readouts
    mlp_readouts:        "last": only the last layer reads its energy out through an MLP, the
                         others linearly (MACE's design); "all": every layer through an MLP
    """

    channels: int = 32
    l_max: int = 3
    hidden_l_max: int = 0
    correlation: int = 3
    interactions: int = 2
    radial_basis: int = 8
    radial_hidden: tuple[int, ...] = (64, 64)
    envelope_p: int = 6
    average_neighbours: float = 1.0
    readout_hidden: int = 16
    mlp_readouts: str = "last"

    def __post_init__(self) -> None:
        object.__setattr__(self, "radial_hidden", tuple(int(w) for w in self.radial_hidden))
        checks = {
            "channels must be >= 1": self.channels >= 1,
            "l_max must be between 0 and 4": 0 <= self.l_max <= 4,
            "hidden_l_max must be between 0 and l_max": 0 <= self.hidden_l_max <= self.l_max,
            "correlation must be between 1 and 4": 1 <= self.correlation <= 4,
            "interactions must be between 1 and 3": 1 <= self.interactions <= 3,
            "radial_basis must be >= 1": self.radial_basis >= 1,
            "radial_hidden widths must be >= 1": all(w >= 1 for w in self.radial_hidden),
            "envelope_p must be >= 2": self.envelope_p >= 2,
            "average_neighbours must be > 0": self.average_neighbours > 0,
            "readout_hidden must be >= 1": self.readout_hidden >= 1,
            "mlp_readouts must be 'last' or 'all'": self.mlp_readouts in ("last", "all"),
        }
        failed = [message for message, ok in checks.items() if not ok]
        if failed:
            raise MlpotError(f"equivariant model settings: {'; '.join(failed)} (got {self})")

    def as_dict(self) -> dict:
        """Plain data (JSON-able)."""
        data = asdict(self)
        data["radial_hidden"] = list(self.radial_hidden)
        return data

    def edge_irreps(self) -> o3.Irreps:
        """Spherical harmonics of the edge direction, degrees 0..l_max (parity (-1)^l)."""
        return o3.Irreps.spherical_harmonics(self.l_max)

    def hidden_irreps(self) -> o3.Irreps:
        """Node features between layers: `channels` of each 0e, 1o, ... up to hidden_l_max."""
        return scaled(o3.Irreps.spherical_harmonics(self.hidden_l_max), self.channels)

    def scalar_irreps(self) -> o3.Irreps:
        """The last layer's node features: `channels` invariant scalars."""
        return o3.Irreps(f"{self.channels}x0e")


def scaled(irreps: o3.Irreps, channels: int) -> o3.Irreps:
    """Every irrep of `irreps` once, with multiplicity `channels`, sorted."""
    irs = sorted({ir for _, ir in irreps})
    return o3.Irreps([(channels, ir) for ir in irs])


def all_irreps(l_max: int) -> list[o3.Irrep]:
    """Every irrep of O(3) up to degree l_max, both parities."""
    return [o3.Irrep(degree, parity) for degree in range(l_max + 1) for parity in (1, -1)]
