"""Differentiable predictions on a batch: energies, forces and stress through the network."""

from __future__ import annotations

from typing import NamedTuple

import torch

from mlpot.models.forces import (
    forces_from_pair_gradients,
    stress_from_virials,
    virials_from_pair_gradients,
)
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.training.dataset import Batch


class BatchPrediction(NamedTuple):
    energy: torch.Tensor  # (S,) eV
    forces: torch.Tensor | None  # (A, 3) eV/Å
    stress: torch.Tensor | None  # (S, 6) eV/Å^3 (zero rows for non-periodic structures)
    atomic_energies: torch.Tensor | None = None  # (A,) eV


def predict_batch(
    model: NeuralNetworkPotential, batch: Batch, forces: bool, stress: bool, create_graph: bool
) -> BatchPrediction:
    """Predictions for a batch; create_graph keeps forces differentiable for training."""
    derivatives = forces or stress
    g = batch.descriptors.detach().requires_grad_(derivatives)
    pairs = None
    if model.interaction is not None:
        pairs = model.interaction.message_pairs(
            batch.pair_first, batch.pair_second, batch.pair_vectors, derivatives
        )
    atomic = model.atomic_energies(g, batch.species, pairs)
    n_structures = len(batch.n_atoms)
    energy = atomic.new_zeros(n_structures).index_add(0, batch.atom_structure, atomic)
    if not derivatives:
        return BatchPrediction(energy, None, None, atomic)
    inputs = (g,) if pairs is None else (g, pairs.basis)
    grads = torch.autograd.grad(energy.sum(), inputs, create_graph=create_graph)
    pair_grad = torch.einsum("pfx,pf->px", batch.pair_derivatives, grads[0][batch.pair_first])
    if pairs is not None:  # the messages' own dependence on r_p
        pair_grad = pair_grad + pairs.pair_gradients(grads[1], len(pair_grad))
    f = forces_from_pair_gradients(
        pair_grad, batch.pair_first, batch.pair_second, len(batch.species)
    )
    s = None
    if stress:
        virials = virials_from_pair_gradients(
            pair_grad, batch.pair_vectors, batch.pair_structure, n_structures
        )
        periodic = batch.volume > 0
        volume = torch.where(periodic, batch.volume, torch.ones_like(batch.volume))
        s = stress_from_virials(virials, volume) * periodic[:, None]
    return BatchPrediction(energy, f, s, atomic)
