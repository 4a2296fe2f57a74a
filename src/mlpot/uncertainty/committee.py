"""Evaluate a committee of potentials that share one descriptor set, and its statistics.

The neighbour list and descriptors of a structure are computed once; each member then runs its
networks: inside the fused descriptor kernel where it applies (float64 dense networks, see
mlpot.models.evaluate), otherwise torch's dE/dG from the shared descriptors followed by the
per-pair chain rule. Forces and virials come from dE/dr_ij in mlpot.models.forces, as for a
single model. Spreads are population standard deviations over the K members (no K - 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from mlpot.descriptors.acsf import ACSF
from mlpot.errors import MlpotError
from mlpot.models.evaluate import inference_networks, torch_energies_and_pair_gradients
from mlpot.models.forces import forces_from_pair_gradients, virials_from_pair_gradients
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.neighbours.pairs import Pairs


class CommitteeResult(NamedTuple):
    """Per-member predictions for one structure of N atoms, K members."""

    descriptors: np.ndarray  # (N, F) shared by all members
    energies: np.ndarray  # (K, N) atomic energies, eV
    forces: np.ndarray | None  # (K, N, 3) eV/Å
    virials: np.ndarray | None  # (K, 3, 3) dE/d(strain), eV


def check_shared_descriptors(models: Sequence[NeuralNetworkPotential], names: Sequence[str]):
    """Raise MlpotError unless every model uses the first one's symmetry functions."""
    if not models:
        raise MlpotError("an ensemble needs at least one model")
    first = models[0].sfset.to_dict()
    for model, name in zip(models[1:], names[1:], strict=True):
        if model.sfset.to_dict() != first:
            raise MlpotError(
                f"{name}: its symmetry functions differ from those of {names[0]}; the members "
                "of an ensemble must share one descriptor set (train them from one config)"
            )


def evaluate_committee(
    models: Sequence[NeuralNetworkPotential],
    acsf: ACSF,
    species: np.ndarray,
    pairs: Pairs,
    forces: bool = True,
    virial: bool = True,
) -> CommitteeResult:
    """Each member's atomic energies (and forces, virial) for one structure given as element
    indices (N,) and its neighbour pairs."""
    computed = acsf.compute(species, pairs)
    first, second = torch.from_numpy(pairs.first), torch.from_numpy(pairs.second)
    vectors, one_structure = torch.from_numpy(pairs.vectors), torch.zeros_like(first)
    energies, member_forces, virials = [], [], []
    for model in models:
        tables = inference_networks(model) if forces else None
        if tables is not None:
            e, pair_grad = acsf.energies_and_pair_gradients(species, pairs, tables)
        else:
            e, pair_grad = torch_energies_and_pair_gradients(
                model, acsf, species, pairs, computed, forces
            )
        energies.append(e)
        if not forces:
            continue
        grad_t = torch.from_numpy(pair_grad)
        member_forces.append(forces_from_pair_gradients(grad_t, first, second, len(species)))
        if virial:
            virials.append(virials_from_pair_gradients(grad_t, vectors, one_structure, 1)[0])
    return CommitteeResult(
        computed[0],
        np.stack(energies),
        torch.stack(member_forces).numpy() if forces else None,
        torch.stack(virials).numpy() if forces and virial else None,
    )


class CommitteeStatistics(NamedTuple):
    """Mean and spread of a committee's predictions for one structure."""

    energy: float  # eV, mean total energy
    energy_std: float  # eV, spread of the total energy
    energies: np.ndarray  # (N,) eV, mean atomic energies
    energies_std: np.ndarray  # (N,) eV
    forces: np.ndarray | None  # (N, 3) eV/Å, mean
    forces_deviation: np.ndarray | None  # (N,) eV/Å, sqrt(mean_k |F_k,i - mean F_i|^2)
    virial: np.ndarray | None  # (3, 3) eV, mean


def committee_statistics(result: CommitteeResult) -> CommitteeStatistics:
    totals = result.energies.sum(1)
    deviation = mean_forces = None
    if result.forces is not None:
        mean_forces = result.forces.mean(0)
        deviation = np.sqrt(((result.forces - mean_forces) ** 2).sum(2).mean(0))
    return CommitteeStatistics(
        energy=float(totals.mean()),
        energy_std=float(totals.std()),
        energies=result.energies.mean(0),
        energies_std=result.energies.std(0),
        forces=mean_forces,
        forces_deviation=deviation,
        virial=None if result.virials is None else result.virials.mean(0),
    )
