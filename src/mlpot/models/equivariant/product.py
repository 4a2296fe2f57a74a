"""Many-body (ACE-style) node features: products of up to `correlation` neighbour densities.

With A the density of an atom (C channels of each irrep), the product runs Horner-like,
channel by channel, with element-dependent weights on every coupling path:

    T_1 = A,   T_k = (T_{k-1} (x) A)   (Clebsch-Gordan couplings, e3nn, channel-wise "uuu")
    B   = sum_k  w_k[element] * (T_k restricted to the target irreps)

so B holds (k+1)-body features for k = 1..correlation. Intermediate irreps that cannot reach
a target in the remaining products are never formed.
"""

from __future__ import annotations

import torch
from e3nn import o3

from mlpot.models.equivariant.settings import all_irreps


class ManyBodyProduct(torch.nn.Module):
    """(A, target) many-body features from densities (A, density) and species (A,)."""

    def __init__(
        self,
        density_irreps: o3.Irreps,
        target_irreps: o3.Irreps,
        correlation: int,
        l_max: int,
        n_elements: int,
    ) -> None:
        super().__init__()
        self.target_dim = target_irreps.dim
        density_set = [ir for _, ir in density_irreps]
        target_set = [ir for _, ir in target_irreps]
        self.first = Coupling(
            density_irreps, o3.Irreps("1x0e"), target_set, target_irreps, n_elements
        )
        current = density_irreps
        steps: list[Coupling] = []
        for k in range(2, correlation + 1):
            wanted = reachable(density_set, target_set, correlation - k, l_max)
            symmetric = k == 2  # A (x) A: one of the paths (l1, l2) and (l2, l1) suffices
            steps.append(
                Coupling(current, density_irreps, wanted, target_irreps, n_elements, symmetric)
            )
            current = steps[-1].irreps_out
        self.steps = torch.nn.ModuleList(steps)

    def forward(self, densities: torch.Tensor, species: torch.Tensor) -> torch.Tensor:
        out = densities.new_zeros((densities.shape[0], self.target_dim))
        ones = densities.new_ones((densities.shape[0], 1))
        _, out = self.first(densities, ones, species, out)
        current = densities
        for step in self.steps:
            current, out = step(current, densities, species, out)
        return out


class Coupling(torch.nn.Module):
    """Channel-wise couplings left (x) right -> the wanted irreps, weights per element; the
    target irreps among the results are added to the running many-body sum.

    With right = 1x0e this is a weighted channel-wise copy of left (the one-body term).
    """

    def __init__(
        self,
        left: o3.Irreps,
        right: o3.Irreps,
        wanted: list[o3.Irrep],
        target: o3.Irreps,
        n_elements: int,
        symmetric: bool = False,
    ) -> None:
        super().__init__()
        self.product = _tensor_product(left, right, wanted, symmetric)
        self.irreps_out = self.product.irreps_out
        self.weights = torch.nn.Parameter(torch.randn(n_elements, self.product.weight_numel))
        self.register_buffer("target_index", _target_index(self.irreps_out, target))

    def forward(
        self, left: torch.Tensor, right: torch.Tensor, species: torch.Tensor, out: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(features (A, irreps_out), out (A, target) with this order's targets added)."""
        features = self.product(left, right, self.weights[species])
        index = self.target_index
        out = out.index_add(1, index[1], features.index_select(1, index[0]))
        return features, out


def _target_index(irreps: o3.Irreps, target: o3.Irreps) -> torch.Tensor:
    """(2, n) long: component columns of `irreps` and of `target` holding the same irrep."""
    source, destination = [], []
    target_slices = {ir: s for (_, ir), s in zip(target, target.slices(), strict=True)}
    for (_, ir), s in zip(irreps, irreps.slices(), strict=True):
        if ir in target_slices:
            t = target_slices[ir]
            source += list(range(s.start, s.stop))
            destination += list(range(t.start, t.stop))
    return torch.tensor([source, destination], dtype=torch.long).reshape(2, -1)


def reachable(
    density: list[o3.Irrep], target: list[o3.Irrep], remaining: int, l_max: int
) -> list[o3.Irrep]:
    """Irreps (degree <= l_max) that reach a target irrep in `remaining` products with density."""
    found = set(target)
    for _ in range(remaining):
        found = {
            ir for ir in all_irreps(l_max) if any(out in found for d in density for out in ir * d)
        }
    return sorted(found)


def _tensor_product(
    left: o3.Irreps, right: o3.Irreps, wanted: list[o3.Irrep], symmetric: bool
) -> o3.TensorProduct:
    """Every path left (x) right -> a wanted irrep, channel-wise, with external weights.

    symmetric: left and right are the same features, so only paths with i <= j are formed
    (the path (j, i) gives the same output up to sign).
    """
    uvu = right.num_irreps == 1
    mode = "uvu" if uvu else "uuu"
    outputs = sorted({ir for _, a in left for _, b in right for ir in a * b if ir in wanted})
    irreps_out = o3.Irreps([(left[0].mul, ir) for ir in outputs])
    instructions = [
        (i, j, outputs.index(ir), mode, True)
        for i, (_, a) in enumerate(left)
        for j, (_, b) in enumerate(right)
        for ir in a * b
        if ir in outputs and not (symmetric and j < i)
    ]
    return o3.TensorProduct(
        left, right, irreps_out, instructions, shared_weights=False, internal_weights=False
    )
