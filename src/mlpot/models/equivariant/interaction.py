"""One interaction layer: neighbour densities, their many-body product, a node update and an
energy readout.

Pairs p = (i, j) = (first[p], second[p]) carry the message of neighbour j to the central atom i:
    A_i = sum_{p: first[p] = i} R_p (x) h_j (x) Y(r_p) / average_neighbours   (density.py)
    B_i = many-body product of A_i (products of up to `correlation` densities)
    h_i' = Linear(B_i) + Linear(h_i),   E_i += readout(scalars of h_i')  (linear or MLP)
"""

from __future__ import annotations

import torch
from e3nn import o3

from mlpot.models.equivariant.density import CoupledDensity, Edges, ScalarDensity
from mlpot.models.equivariant.product import ManyBodyProduct
from mlpot.models.equivariant.settings import EquivariantSettings


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
        if all(ir == o3.Irrep("0e") for _, ir in node_irreps):
            self.density = ScalarDensity(settings, radial_features)
        else:
            self.density = CoupledDensity(node_irreps, settings, radial_features)
        self.product = ManyBodyProduct(
            self.density.density_irreps,
            out_irreps,
            settings.correlation,
            settings.l_max,
            n_elements,
        )
        self.update = o3.Linear(out_irreps, out_irreps)
        self.self_connection = o3.Linear(node_irreps, out_irreps)
        mlp = last or settings.mlp_readouts == "all"
        self.readout = _readout(out_irreps, settings.readout_hidden, mlp)

    def forward(
        self, features: torch.Tensor, species: torch.Tensor, edges: Edges
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """features (A, in), species (A,) -> (features (A, out), energy terms (A,) eV)."""
        densities = self.density(features, edges)
        many_body = self.product(densities, species)
        updated = self.update(many_body) + self.self_connection(features)
        return updated, self.readout(updated).squeeze(-1)


def _readout(irreps: o3.Irreps, hidden: int, mlp: bool) -> torch.nn.Module:
    """The invariant scalars to one energy per atom: a linear map, or an MLP of one hidden layer."""
    if not mlp:
        return o3.Linear(irreps, o3.Irreps("1x0e"))
    return torch.nn.Sequential(
        o3.Linear(irreps, o3.Irreps(f"{hidden}x0e")),
        torch.nn.SiLU(),
        o3.Linear(o3.Irreps(f"{hidden}x0e"), o3.Irreps("1x0e")),
    )
