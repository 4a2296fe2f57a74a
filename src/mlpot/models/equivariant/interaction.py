"""One interaction layer: neighbour densities, their many-body product, a node update and an
energy readout.

Pairs p = (i, j) = (first[p], second[p]) carry the message of neighbour j to the central atom i:
    m_p = R_p (x) h_j (x) Y(r_p)           (e3nn, channel-wise "uvu", weights from the radial net)
    A_i = sum_{p: first[p] = i} m_p / average_neighbours
    B_i = many-body product of A_i (products of up to `correlation` densities)
    h_i' = Linear(B_i) + Linear(h_i),   E_i += readout(scalars of h_i')
"""

from __future__ import annotations

import torch
from e3nn import o3

from mlpot.models.equivariant.product import ManyBodyProduct
from mlpot.models.equivariant.settings import EquivariantSettings, scaled


class NeighbourDensity(torch.nn.Module):
    """(A, density) neighbour densities A_i from node features, edge harmonics and radial
    features."""

    def __init__(
        self,
        node_irreps: o3.Irreps,
        settings: EquivariantSettings,
        radial_features: int,
    ) -> None:
        super().__init__()
        edge_irreps = settings.edge_irreps()
        self.mix_in = o3.Linear(node_irreps, node_irreps)
        outputs = sorted(
            {ir for _, a in node_irreps for _, b in edge_irreps for ir in a * b
             if ir.l <= settings.l_max}
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
        self.radial_weights = torch.nn.Linear(radial_features, self.message.weight_numel, bias=False)
        self.density_irreps = scaled(message_irreps, settings.channels)
        self.mix_out = o3.Linear(message_irreps, self.density_irreps)
        self.inverse_neighbours = 1.0 / float(settings.average_neighbours)

    def forward(
        self,
        features: torch.Tensor,
        harmonics: torch.Tensor,
        radial: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
    ) -> torch.Tensor:
        """features (A, node), harmonics (P, edge), radial (P, R); first, second (P,) long."""
        mixed = self.mix_in(features)
        messages = self.message(mixed[second], harmonics, self.radial_weights(radial))
        summed = messages.new_zeros((features.shape[0], messages.shape[1]))
        summed = summed.index_add(0, first, messages) * self.inverse_neighbours
        return self.mix_out(summed)


class InteractionLayer(torch.nn.Module):
    """Node features (A, in) -> (A, out) and this layer's atomic energy terms (A,)."""

    def __init__(
        self,
        node_irreps: o3.Irreps,
        out_irreps: o3.Irreps,
        settings: EquivariantSettings,
        radial_features: int,
        n_elements: int,
        last: bool,
    ) -> None:
        super().__init__()
        self.density = NeighbourDensity(node_irreps, settings, radial_features)
        self.product = ManyBodyProduct(
            self.density.density_irreps, out_irreps, settings.correlation, settings.l_max, n_elements
        )
        self.update = o3.Linear(out_irreps, out_irreps)
        self.self_connection = o3.Linear(node_irreps, out_irreps)
        self.readout = _readout(out_irreps, settings.readout_hidden, last)

    def forward(
        self,
        features: torch.Tensor,
        species: torch.Tensor,
        harmonics: torch.Tensor,
        radial: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        densities = self.density(features, harmonics, radial, first, second)
        many_body = self.product(densities, species)
        updated = self.update(many_body) + self.self_connection(features)
        return updated, self.readout(updated).squeeze(-1)


def _readout(irreps: o3.Irreps, hidden: int, last: bool) -> torch.nn.Module:
    """A linear map of the invariant scalars to one energy per atom; on the last layer an MLP."""
    if not last:
        return o3.Linear(irreps, o3.Irreps("1x0e"))
    return torch.nn.Sequential(
        o3.Linear(irreps, o3.Irreps(f"{hidden}x0e")),
        torch.nn.SiLU(),
        o3.Linear(o3.Irreps(f"{hidden}x0e"), o3.Irreps("1x0e")),
    )
