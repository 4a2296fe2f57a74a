"""Predictions of any potential on a batch: energies, and forces and stress from dE/dr_p.

This is the one place where forces and stress are derived, for every family and for both
training and the calculators: autograd gives dE/dr_p for every pair vector, and
mlpot.models.forces turns those into forces, virials and stress.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import nullcontext
from typing import NamedTuple

import torch

from mlpot.models.forces import (
    forces_from_pair_gradients,
    stress_from_virials,
    virials_from_pair_gradients,
)
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import OUTPUTS, Potential

DERIVED = frozenset({"forces", "stress"})


class Prediction(NamedTuple):
    energy: torch.Tensor  # (S,) eV
    atomic_energies: torch.Tensor  # (A,) eV
    forces: torch.Tensor | None = None  # (A, 3) eV/Å
    stress: torch.Tensor | None = None  # (S, 6) eV/Å^3, ASE sign, Voigt order
    pair_gradients: torch.Tensor | None = None  # (P, 3) dE/dr_p, eV/Å


def predict(
    model: Potential,
    inputs: ModelInputs,
    outputs: Collection[str],
    create_graph: bool = False,
) -> Prediction:
    """The `outputs` (a subset of OUTPUTS; energies always come) of `model` on `inputs`;
    create_graph keeps forces and stress differentiable with respect to the weights."""
    unknown = set(outputs) - OUTPUTS
    if unknown:
        raise ValueError(f"unknown outputs {sorted(unknown)}; choose from {sorted(OUTPUTS)}")
    derived = DERIVED & set(outputs)
    vectors = inputs.pair_vectors.detach().requires_grad_(bool(derived))
    with torch.enable_grad() if derived else nullcontext():  # the caller's mode for energies
        atomic = model.atomic_energies(inputs, vectors)
        energy = atomic.new_zeros(inputs.n_structures).index_add(0, inputs.atom_structure, atomic)
        if not derived:
            return Prediction(energy, atomic)
        if not energy.requires_grad:  # energies independent of the positions
            pair_grad = torch.zeros_like(vectors)
        else:
            (pair_grad,) = torch.autograd.grad(
                energy.sum(), vectors, create_graph=create_graph, materialize_grads=True
            )
    forces = forces_from_pair_gradients(
        pair_grad, inputs.pair_first, inputs.pair_second, len(inputs.species)
    )
    stress = None
    if "stress" in derived:
        virials = virials_from_pair_gradients(
            pair_grad, inputs.pair_vectors, inputs.pair_structure, inputs.n_structures
        )
        stress = stress_from_virials(virials, inputs.volume)
    return Prediction(energy, atomic, forces, stress, pair_grad)
