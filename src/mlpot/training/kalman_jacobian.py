"""Predicted observables and their Jacobians w.r.t. all network weights, for the Kalman filter.

Every observable is a sum over atoms j of a term of the atom's descriptors G_j:

    energy            E        = sum_j E_j(G_j)
    force component   F_ia     = sum_j dE_j/dG_j . T_j,   T_j = -dG_j/dR_ia
    stress component  sigma_ab = sum_j dE_j/dG_j . T_j,   T_j = (1/V) sym_ab sum_{p: first=j}
                                                                 dG_j/dr_p,a r_p,b

(pairs p = (j, m), r_p = R_m - R_j + shift; the sign and symmetrisation conventions of
mlpot.models.forces). The terms come from the model's atomic energies and their descriptor
gradients (double backward), over only the atoms with a nonzero T_j; the k observables of
one update are differentiated w.r.t. the weights in one batched reverse pass. The weight
vector is every element's network parameters in element order (WeightLayout).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from mlpot.models.forces import VOIGT
from mlpot.models.nnp import DESCRIPTORS, PAIR_DERIVATIVES, NeuralNetworkPotential
from mlpot.training.dataset import PreparedFrame


class Observations(NamedTuple):
    values: torch.Tensor  # (k,) predictions: eV, eV/Å or eV/Å^3
    jacobian: torch.Tensor  # (k, n_weights) d values / d weights


class WeightLayout:
    """The trainable parameters of all element networks as one vector of n_weights."""

    def __init__(self, model: NeuralNetworkPotential):
        self.parameters = [
            p for element in model.elements for p in model.networks[element].parameters()
        ]
        self.n_weights = sum(p.numel() for p in self.parameters)

    def vector(self) -> torch.Tensor:
        return torch.cat([p.detach().reshape(-1) for p in self.parameters])

    def jacobian(self, outputs: torch.Tensor) -> torch.Tensor:
        """(k, n_weights) derivatives of k outputs computed from the weights (batched
        reverse mode; zero columns for weights the outputs do not depend on)."""
        k = len(outputs)
        batched = k > 1
        grads = torch.autograd.grad(
            outputs if batched else outputs[0],
            self.parameters,
            grad_outputs=torch.eye(k, dtype=outputs.dtype, device=outputs.device)
            if batched
            else None,
            is_grads_batched=batched,
            allow_unused=True,
        )
        return torch.cat(
            [
                p.new_zeros((k, p.numel())) if g is None else g.reshape(k, -1)
                for g, p in zip(grads, self.parameters, strict=True)
            ],
            1,
        )

    @torch.no_grad()
    def add_(self, delta: torch.Tensor) -> None:
        """w += delta for a flat (n_weights,) increment."""
        start = 0
        for p in self.parameters:
            p.add_(delta[start : start + p.numel()].view_as(p).to(p.dtype))
            start += p.numel()


def energy_observations(model: NeuralNetworkPotential, frames: list[PreparedFrame]) -> Observations:
    """Total energies (S,) in eV of the frames and their Jacobian (S, n_weights)."""
    species = torch.cat([f.species for f in frames])
    descriptors = torch.cat([f.features[DESCRIPTORS] for f in frames])
    sizes = torch.tensor([f.n_atoms for f in frames], device=species.device)
    targets = torch.repeat_interleave(torch.arange(len(frames), device=species.device), sizes)
    with torch.enable_grad():
        atomic = model.descriptor_energies(descriptors.detach(), species)
        energies = atomic.new_zeros(len(frames)).index_add(0, targets, atomic)
    return Observations(energies.detach(), WeightLayout(model).jacobian(energies))


def force_observations(
    model: NeuralNetworkPotential,
    frame: PreparedFrame,
    atoms: torch.Tensor,
    directions: torch.Tensor,
) -> Observations:
    """Force components F[atoms[c], directions[c]] (k,) in eV/Å and their Jacobian."""
    k = len(atoms)
    d, inputs = frame.features[PAIR_DERIVATIVES], frame.inputs
    tangents = d.new_zeros((k, frame.n_atoms, d.shape[1]))
    comp, pair = torch.nonzero(inputs.pair_first[None, :] == atoms[:, None], as_tuple=True)
    tangents.index_put_((comp, atoms[comp]), d[pair, :, directions[comp]], accumulate=True)
    comp, pair = torch.nonzero(inputs.pair_second[None, :] == atoms[:, None], as_tuple=True)
    tangents.index_put_(
        (comp, inputs.pair_first[pair]), -d[pair, :, directions[comp]], accumulate=True
    )
    return _tangent_observations(model, frame, tangents)


def stress_observations(model: NeuralNetworkPotential, frame: PreparedFrame) -> Observations:
    """Stress (6,) in eV/Å^3, ASE sign and Voigt order, and its Jacobian (periodic frames)."""
    d, r = frame.features[PAIR_DERIVATIVES], frame.inputs.pair_vectors
    tangents = d.new_zeros((len(VOIGT), frame.n_atoms, d.shape[1]))
    for c, (a, b) in enumerate(VOIGT):
        per_pair = 0.5 * (d[:, :, a] * r[:, b, None] + d[:, :, b] * r[:, a, None])
        tangents[c].index_add_(0, frame.inputs.pair_first, per_pair)
    return _tangent_observations(model, frame, tangents / frame.inputs.volume[0])


def _tangent_observations(
    model: NeuralNetworkPotential, frame: PreparedFrame, tangents: torch.Tensor
) -> Observations:
    """sum_j dE_j/dG_j . tangents[c, j] for each c, over the atoms j with a nonzero tangent."""
    comp, atom = torch.nonzero(tangents.abs().sum(-1) > 0, as_tuple=True)
    with torch.enable_grad():
        g = frame.features[DESCRIPTORS][atom].detach().requires_grad_(True)
        energies = model.descriptor_energies(g, frame.species[atom])
        (dedg,) = torch.autograd.grad(energies.sum(), g, create_graph=True)
        terms = (dedg * tangents[comp, atom]).sum(1)
        values = terms.new_zeros(len(tangents)).index_add(0, comp, terms)
    return Observations(values.detach(), WeightLayout(model).jacobian(values))
