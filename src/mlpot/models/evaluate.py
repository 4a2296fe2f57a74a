"""Energy, forces and virial of one structure: descriptors -> networks -> chain rule."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from mlpot.descriptors.acsf import ACSF
from mlpot.models.forces import forces_from_pair_gradients, virials_from_pair_gradients
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.neighbours.pairs import Pairs


class StructureResult(NamedTuple):
    energy: float  # eV
    energies: np.ndarray  # (N,) eV
    forces: np.ndarray | None  # (N, 3) eV/Å
    virial: np.ndarray | None  # (3, 3) eV, dE/d(strain)


def evaluate_structure(
    model: NeuralNetworkPotential,
    acsf: ACSF,
    species: np.ndarray,
    pairs: Pairs,
    forces: bool = True,
) -> StructureResult:
    """Predictions for one structure given as element indices (N,) and its neighbour pairs."""
    descriptors, workspace = acsf.compute(species, pairs)
    g = torch.from_numpy(descriptors).to(model.dtype).requires_grad_(forces)
    species_t = torch.from_numpy(species)
    with torch.set_grad_enabled(forces):
        energies = model.atomic_energies(g, species_t)
        if not forces:
            e = energies.detach().double().numpy()
            return StructureResult(float(e.sum()), e, None, None)
        (dedg,) = torch.autograd.grad(energies.sum(), g)
    e = energies.detach().double().numpy()
    pair_grad = acsf.pair_gradients(species, pairs, dedg.double().numpy(), workspace)
    grad_t = torch.from_numpy(pair_grad)
    first, second = torch.from_numpy(pairs.first), torch.from_numpy(pairs.second)
    f = forces_from_pair_gradients(grad_t, first, second, len(species))
    w = virials_from_pair_gradients(
        grad_t, torch.from_numpy(pairs.vectors), torch.zeros_like(first), 1
    )[0]
    return StructureResult(float(e.sum()), e, f.numpy(), w.numpy())
