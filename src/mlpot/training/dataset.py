"""Training data as tensors: each structure's model inputs, prepared once, and its labels.

A model's inputs are whatever its family computes per structure (mlpot.models.potential);
for descriptor families, descriptors and their per-pair derivatives (dG_i/dr_ij, (P, F, 3)),
never dense (N, F, N, 3) arrays, so memory grows linearly with structure size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.errors import MlpotError
from mlpot.models.fidelity import fidelity_index
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import Potential


@dataclass
class PreparedFrame:
    """One structure ready for training (tensors in the training dtype).

    inputs: what the model reads (one structure); energy eV; forces (N, 3) eV/Å or None;
    stress (6,) eV/Å^3 or None; weight; group index; force_weights (N,) per-atom force-loss
    weights (GDF) or None for all 1; atomic_energies (N,) per-atom energy targets, eV, or None.
    """

    inputs: ModelInputs
    energy: float
    forces: torch.Tensor | None
    stress: torch.Tensor | None
    weight: float
    group: int
    force_weights: torch.Tensor | None = None
    atomic_energies: torch.Tensor | None = None

    @property
    def n_atoms(self) -> int:
        return len(self.inputs.species)

    @property
    def species(self) -> torch.Tensor:
        return self.inputs.species

    @property
    def features(self) -> dict[str, torch.Tensor]:
        return self.inputs.features


def prepare_frame(frame: Frame, model: Potential, dtype: torch.dtype, group: int) -> PreparedFrame:
    try:
        structure = model.structure_inputs(frame.numbers, frame.positions, frame.cell, frame.pbc)
    except MlpotError as err:
        raise MlpotError(f"{where(frame.source)}: {err}") from None
    fidelity = fidelity_index(model.fidelities, frame.fidelity)
    inputs = ModelInputs.of_structure(structure, frame.cell, frame.pbc, dtype, fidelity)
    periodic = bool(np.all(frame.pbc))

    def tensor(x):
        return None if x is None else torch.as_tensor(np.asarray(x), dtype=dtype)

    return PreparedFrame(
        inputs=inputs,
        energy=float(frame.energy),
        forces=tensor(frame.forces),
        stress=tensor(frame.stress) if periodic else None,
        weight=float(frame.weight),
        group=group,
        atomic_energies=tensor(_atomic_energy_targets(frame)),
    )


def prepare_frames(
    frames: list[Frame],
    model: Potential,
    dtype: torch.dtype,
    groups: list[str],
    progress: bool = True,
) -> list[PreparedFrame]:
    """The model's inputs for every frame; `groups` maps group names to indices. A frame
    listed more than once (a bootstrap resample) is prepared once and shared."""
    index = {name: n for n, name in enumerate(groups)}
    prepared: dict[int, PreparedFrame] = {}
    for frame in tqdm(frames, desc="model inputs", disable=not progress, leave=False):
        if id(frame) not in prepared:
            prepared[id(frame)] = prepare_frame(frame, model, dtype, index[frame.group])
    return [prepared[id(frame)] for frame in frames]


@dataclass
class Batch:
    """Several structures concatenated (A atoms, S structures): model inputs and labels."""

    inputs: ModelInputs
    energy: torch.Tensor  # (S,) eV
    forces: torch.Tensor  # (A, 3) eV/Å (zeros where missing)
    force_mask: torch.Tensor  # (A,) bool
    force_weight: torch.Tensor  # (A,) per-atom force-loss weights
    stress: torch.Tensor  # (S, 6) eV/Å^3 (zeros where missing)
    stress_mask: torch.Tensor  # (S,) bool
    weight: torch.Tensor  # (S,)
    group: torch.Tensor  # (S,) long
    atomic_energies: torch.Tensor  # (A,) eV per-atom energy targets (zeros where missing)
    atomic_energy_mask: torch.Tensor  # (A,) bool

    @property
    def n_atoms(self) -> torch.Tensor:
        return self.inputs.n_atoms

    @property
    def atom_structure(self) -> torch.Tensor:
        return self.inputs.atom_structure


def collate(frames: list[PreparedFrame]) -> Batch:
    dtype = frames[0].inputs.pair_vectors.dtype
    return Batch(
        inputs=ModelInputs.concatenate([f.inputs for f in frames]),
        energy=torch.tensor([f.energy for f in frames], dtype=dtype),
        forces=torch.cat([_or_zeros(f.forces, (f.n_atoms, 3), dtype) for f in frames]),
        force_mask=torch.cat(
            [torch.full((f.n_atoms,), f.forces is not None) for f in frames]
        ),
        force_weight=torch.cat(
            [_or_ones(f.force_weights, f.n_atoms, dtype) for f in frames]
        ),
        stress=torch.stack([_or_zeros(f.stress, (6,), dtype) for f in frames]),
        stress_mask=torch.tensor([f.stress is not None for f in frames]),
        weight=torch.tensor([f.weight for f in frames], dtype=dtype),
        group=torch.tensor([f.group for f in frames]),
        atomic_energies=torch.cat(
            [_or_zeros(f.atomic_energies, (f.n_atoms,), dtype) for f in frames]
        ),
        atomic_energy_mask=torch.cat(
            [torch.full((f.n_atoms,), f.atomic_energies is not None) for f in frames]
        ),
    )


def _or_ones(x: torch.Tensor | None, n: int, dtype: torch.dtype) -> torch.Tensor:
    return torch.ones(n, dtype=dtype) if x is None else x


def _atomic_energy_targets(frame: Frame) -> np.ndarray | None:
    """The frame's per-atom energy targets, checked: one finite value per atom, or None."""
    targets = frame.atomic_energies
    if targets is None:
        return None
    targets = np.asarray(targets, dtype=float)
    if targets.shape != (len(frame),) or not np.isfinite(targets).all():
        raise MlpotError(
            f"{where(frame.source)}: atomic energy targets must be {len(frame)} finite values (one "
            f"per atom), got shape {targets.shape}; relabel the frame"
        )
    return targets


def _or_zeros(x: torch.Tensor | None, shape: tuple, dtype: torch.dtype) -> torch.Tensor:
    return torch.zeros(shape, dtype=dtype) if x is None else x


def batch_to(batch: Batch, device: torch.device | str) -> Batch:
    """The batch with every tensor on `device`."""
    return Batch(**{k: v.to(device) for k, v in vars(batch).items()})
