"""Neighbour densities: A_i = sum over pairs p = (i, j) of R_p (x) h_j (x) Y(r_p), divided by the
average neighbour count.

Two implementations of the same sum:
- `ScalarDensity`, for node features that are invariant scalars (the default, hidden_l_max 0):
  the message is a plain product R_{p,c,l} h_{j,c} Y_{lm}(r_p) with no Clebsch-Gordan
  coupling, summed per atom as one small matrix product per atom and degree over a padded
  neighbour table (the (P, channels, (l_max+1)^2) messages are never formed);
- `CoupledDensity`, for node features with l > 0: e3nn's channel-wise ("uvu") tensor product
  of h_j with Y(r_p), weighted by the radial network, summed with index_add.
Both mix channels per irrep before (`mix_in`) and after (`mix_out`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from e3nn import o3

from mlpot.models.equivariant.settings import EquivariantSettings, scaled


class Edges(NamedTuple):
    """What every layer reads of the pairs p = (first[p], second[p]).

    first, second:    (P,) long, central atom i and neighbour j
    harmonics:        (P, (l_max+1)^2) spherical harmonics Y(r_p / |r_p|), e3nn order
    radial:           (P, R) learned radial features (zero at and beyond the cutoff)
    width:            the largest number of pairs of one atom (>= 1)
    table_second:     (A * width,) long, the padded neighbour table: row i * width + k holds
                      the k-th neighbour of atom i (padding: atom 0)
    table_harmonics:  (A * width, (l_max+1)^2) harmonics in the table (padding: zero)
    table_radial:     (A * width, R) radial features in the table (padding: zero)
    """

    first: torch.Tensor
    second: torch.Tensor
    harmonics: torch.Tensor
    radial: torch.Tensor
    width: int
    table_second: torch.Tensor
    table_harmonics: torch.Tensor
    table_radial: torch.Tensor


def make_edges(
    first: torch.Tensor,
    second: torch.Tensor,
    harmonics: torch.Tensor,
    radial: torch.Tensor,
    n_atoms: int,
) -> Edges:
    """Edges with the padded neighbour table (pairs in any order)."""
    counts = torch.bincount(first, minlength=n_atoms)
    width = max(int(counts.max()), 1) if first.numel() > 0 else 1
    order = torch.argsort(first, stable=True)
    starts = torch.cumsum(counts, 0) - counts
    rank_sorted = torch.arange(first.numel(), device=first.device) - starts[first[order]]
    rank = torch.empty_like(rank_sorted).index_copy(0, order, rank_sorted)
    slots = first * width + rank
    table_second = first.new_zeros(n_atoms * width).index_copy(0, slots, second)
    return Edges(
        first,
        second,
        harmonics,
        radial,
        width,
        table_second,
        _table(harmonics, slots, n_atoms * width),
        _table(radial, slots, n_atoms * width),
    )


def _table(values: torch.Tensor, slots: torch.Tensor, rows: int) -> torch.Tensor:
    """(rows, F) with values (P, F) in rows `slots`, zeros elsewhere."""
    table = values.new_zeros((rows, values.shape[1]))
    return table.index_copy(0, slots, values)


class ScalarDensity(torch.nn.Module):
    """(A, density) from scalar node features (A, channels): the uncoupled message."""

    def __init__(self, settings: EquivariantSettings, radial_features: int) -> None:
        super().__init__()
        channels = settings.channels
        node_irreps = o3.Irreps(f"{channels}x0e")
        self.degrees = settings.l_max + 1
        self.channels = channels
        self.sizes = [2 * degree + 1 for degree in range(self.degrees)]
        self.mix_in = o3.Linear(node_irreps, node_irreps)
        self.radial_weights = _radial_weights(radial_features, self.degrees * channels)
        self.density_irreps = scaled(settings.edge_irreps(), channels)
        self.mix_out = o3.Linear(self.density_irreps, self.density_irreps)
        self.inverse_neighbours = 1.0 / float(settings.average_neighbours)

    def forward(self, features: torch.Tensor, edges: Edges) -> torch.Tensor:
        """features (A, channels) -> densities (A, density_irreps.dim)."""
        n_atoms, width, channels = features.shape[0], edges.width, self.channels
        neighbours = self.mix_in(features)[edges.table_second]
        harmonics = edges.table_harmonics.view(n_atoms, width, -1).split(self.sizes, dim=2)
        weights = self.radial_weights.weight
        parts = []
        for degree, by_degree in enumerate(harmonics):  # one degree at a time: no (P, l, C)
            rows = weights[degree * channels : (degree + 1) * channels]
            radial = torch.nn.functional.linear(edges.table_radial, rows)
            messages = (radial * neighbours).view(n_atoms, width, channels)
            summed = torch.bmm(by_degree.transpose(1, 2), messages)  # (A, 2l+1, C): no copy
            parts.append(summed.transpose(1, 2).reshape(n_atoms, -1))  # of the (A, W, C) table
        return self.mix_out(torch.cat(parts, dim=1) * self.inverse_neighbours)


class CoupledDensity(torch.nn.Module):
    """(A, density) from node features with any irreps: e3nn's uvu tensor product with Y."""

    def __init__(
        self, node_irreps: o3.Irreps, settings: EquivariantSettings, radial_features: int
    ) -> None:
        super().__init__()
        edge_irreps = settings.edge_irreps()
        self.mix_in = o3.Linear(node_irreps, node_irreps)
        outputs = sorted(
            {
                ir
                for _, a in node_irreps
                for _, b in edge_irreps
                for ir in a * b
                if ir.l <= settings.l_max
            }
        )
        message_irreps = o3.Irreps([(settings.channels, ir) for ir in outputs])
        instructions = [
            (i, j, outputs.index(ir), "uvu", True)
            for i, (_, a) in enumerate(node_irreps)
            for j, (_, b) in enumerate(edge_irreps)
            for ir in a * b
            if ir in outputs
        ]
        self.message = o3.TensorProduct(
            node_irreps,
            edge_irreps,
            message_irreps,
            instructions,
            shared_weights=False,
            internal_weights=False,
        )
        self.radial_weights = _radial_weights(radial_features, self.message.weight_numel)
        self.density_irreps = scaled(message_irreps, settings.channels)
        self.mix_out = o3.Linear(message_irreps, self.density_irreps)
        self.inverse_neighbours = 1.0 / float(settings.average_neighbours)

    def forward(self, features: torch.Tensor, edges: Edges) -> torch.Tensor:
        """features (A, node_irreps.dim) -> densities (A, density_irreps.dim)."""
        mixed = self.mix_in(features)
        weights = self.radial_weights(edges.radial)
        messages = self.message(mixed[edges.second], edges.harmonics, weights)
        summed = messages.new_zeros((features.shape[0], messages.shape[1]))
        summed = summed.index_add(0, edges.first, messages) * self.inverse_neighbours
        return self.mix_out(summed)


def _radial_weights(radial_features: int, n_weights: int) -> torch.nn.Linear:
    """Radial features -> tensor-product weights of unit variance (no bias: zero at the
    cutoff)."""
    linear = torch.nn.Linear(radial_features, n_weights, bias=False)
    torch.nn.init.normal_(linear.weight, std=radial_features**-0.5)
    return linear
