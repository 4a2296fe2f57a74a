"""Single-structure evaluation of a committee of K >= 1 models of one family, for calculators.

An Evaluator takes an ase.Atoms and the wanted outputs and returns every member's atomic
energies, forces and stress (NumPy, float64). `TorchEvaluator` works for any family through
`mlpot.models.predict`; a family with a faster path (the descriptor networks' fused kernel)
returns its own Evaluator from `Potential.evaluator`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from typing import NamedTuple

import numpy as np
import torch
from ase import Atoms

from mlpot.models.forces import stress_from_virials
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import Potential
from mlpot.models.predict import predict
from mlpot.neighbours.pairs import Pairs, within
from mlpot.neighbours.verlet import VerletList


class Evaluation(NamedTuple):
    """K members' predictions for one structure of N atoms."""

    energies: np.ndarray  # (K, N) atomic energies, eV
    forces: np.ndarray | None  # (K, N, 3) eV/Å, when forces or stress were asked for
    stress: np.ndarray | None  # (K, 6) eV/Å^3, when stress was asked for
    extrapolation: np.ndarray | None = None  # (N,) inputs outside the training range


class Evaluator(ABC):
    """Evaluates `models` (one family, checked by the caller) on single structures.

    skin (Å): neighbour lists are built at cutoff + skin and reused while atoms move less
    than skin / 2 (MD steps).
    """

    def __init__(self, models: Sequence[Potential], skin: float):
        self.models = [model.eval() for model in models]
        self.neighbours = VerletList(max(model.cutoff for model in models), skin)

    def __call__(self, atoms: Atoms, outputs: Collection[str]) -> Evaluation:
        """Predictions for `atoms` (pairs from the skin list); outputs as for
        mlpot.models.predict, and "extrapolation" where the models count it."""
        pairs = self.neighbours.pairs(atoms.positions, atoms.cell.array, atoms.pbc)
        return self.evaluate(atoms, pairs, outputs)

    @abstractmethod
    def evaluate(self, atoms: Atoms, pairs: Pairs, outputs: Collection[str]) -> Evaluation:
        """Predictions for `atoms` whose pairs within the largest cutoff are `pairs`."""


class TorchEvaluator(Evaluator):
    """Any family: each member's inputs from `structure_inputs`, predictions through torch."""

    def evaluate(self, atoms: Atoms, pairs: Pairs, outputs: Collection[str]) -> Evaluation:
        energies, forces, stress = [], [], []
        for model in self.models:
            member_pairs = within(pairs, model.cutoff)
            structure = model.structure_inputs(
                atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc, member_pairs
            )
            inputs = ModelInputs.of_structure(structure, atoms.cell.array, atoms.pbc, model.dtype)
            inputs = inputs.to(model.device)
            with torch.no_grad():
                result = predict(model, inputs, outputs)
            energies.append(_numpy(result.atomic_energies))
            forces.append(None if result.forces is None else _numpy(result.forces))
            stress.append(None if result.stress is None else _numpy(result.stress[0]))
        return Evaluation(np.stack(energies), _stack(forces), _stack(stress))


def stress_of(virials: np.ndarray, atoms: Atoms) -> np.ndarray:
    """(K, 6) stress, eV/Å^3, of virials (K, 3, 3) dE/d(strain) in eV (mlpot.models.forces)."""
    volume = atoms.get_volume() if atoms.pbc.all() else 0.0
    volumes = torch.full((len(virials),), volume, dtype=torch.float64)
    return stress_from_virials(torch.from_numpy(virials), volumes).numpy()


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().double().cpu().numpy()


def _stack(arrays: list[np.ndarray | None]) -> np.ndarray | None:
    return None if arrays[0] is None else members(arrays)


def members(arrays: list[np.ndarray]) -> np.ndarray:
    """The members' arrays stacked on a new first axis (one member without a copy)."""
    return arrays[0][None] if len(arrays) == 1 else np.stack(arrays)
