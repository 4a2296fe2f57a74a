"""Training data as tensors: descriptors and their per-pair derivatives, prepared once.

Memory grows linearly with structure size: derivatives are stored per neighbour pair
(dG_i/dr_ij, shape (P, F, 3)), never as dense (N, F, N, 3) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.descriptors.acsf import ACSF
from mlpot.errors import MlpotError
from mlpot.neighbours.pairs import neighbour_pairs


@dataclass
class PreparedFrame:
    """One structure ready for training (tensors in the training dtype).

    species (N,) long; descriptors (N, F); pair_first, pair_second (P,) long;
    pair_vectors (P, 3) Å; pair_derivatives (P, F, 3) 1/Å; energy eV; forces (N, 3) eV/Å or None;
    stress (6,) eV/Å^3 or None; volume Å^3 (0 for non-periodic); weight; group index;
    force_weights (N,) per-atom force-loss weights (GDF) or None for all 1;
    atomic_energies (N,) per-atom energy targets, eV, or None.
    """

    species: torch.Tensor
    descriptors: torch.Tensor
    pair_first: torch.Tensor
    pair_second: torch.Tensor
    pair_vectors: torch.Tensor
    pair_derivatives: torch.Tensor
    energy: float
    forces: torch.Tensor | None
    stress: torch.Tensor | None
    volume: float
    weight: float
    group: int
    force_weights: torch.Tensor | None = None
    atomic_energies: torch.Tensor | None = None

    @property
    def n_atoms(self) -> int:
        return len(self.species)


def prepare_frame(frame: Frame, acsf: ACSF, dtype: torch.dtype, group: int) -> PreparedFrame:
    try:
        species = acsf.species(frame.numbers)
    except MlpotError as err:
        raise MlpotError(f"{where(frame.source)}: {err}") from None
    pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, acsf.cutoff)
    descriptors, derivatives = acsf.compute_with_derivatives(species, pairs)
    periodic = bool(np.all(frame.pbc))
    volume = abs(float(np.linalg.det(frame.cell))) if periodic else 0.0

    def tensor(x):
        return None if x is None else torch.as_tensor(np.asarray(x), dtype=dtype)

    return PreparedFrame(
        species=torch.from_numpy(species),
        descriptors=tensor(descriptors),
        pair_first=torch.from_numpy(pairs.first),
        pair_second=torch.from_numpy(pairs.second),
        pair_vectors=tensor(pairs.vectors),
        pair_derivatives=tensor(derivatives),
        energy=float(frame.energy),
        forces=tensor(frame.forces),
        stress=tensor(frame.stress) if periodic else None,
        volume=volume,
        weight=float(frame.weight),
        group=group,
        atomic_energies=tensor(_atomic_energy_targets(frame)),
    )


def prepare_frames(
    frames: list[Frame], acsf: ACSF, dtype: torch.dtype, groups: list[str], progress: bool = True
) -> list[PreparedFrame]:
    """Descriptors and derivatives of every frame; `groups` maps group names to indices. A
    frame listed more than once (a bootstrap resample) is prepared once and shared."""
    index = {name: n for n, name in enumerate(groups)}
    prepared: dict[int, PreparedFrame] = {}
    for frame in tqdm(frames, desc="descriptors", disable=not progress, leave=False):
        if id(frame) not in prepared:
            prepared[id(frame)] = prepare_frame(frame, acsf, dtype, index[frame.group])
    return [prepared[id(frame)] for frame in frames]


@dataclass
class Batch:
    """Several structures concatenated (A atoms, P pairs, S structures)."""

    species: torch.Tensor  # (A,)
    descriptors: torch.Tensor  # (A, F)
    atom_structure: torch.Tensor  # (A,) structure index of each atom
    n_atoms: torch.Tensor  # (S,)
    pair_first: torch.Tensor  # (P,) batch atom indices
    pair_second: torch.Tensor  # (P,)
    pair_structure: torch.Tensor  # (P,)
    pair_vectors: torch.Tensor  # (P, 3)
    pair_derivatives: torch.Tensor  # (P, F, 3)
    energy: torch.Tensor  # (S,) eV
    forces: torch.Tensor  # (A, 3) eV/Å (zeros where missing)
    force_mask: torch.Tensor  # (A,) bool
    force_weight: torch.Tensor  # (A,) per-atom force-loss weights
    stress: torch.Tensor  # (S, 6) eV/Å^3 (zeros where missing)
    stress_mask: torch.Tensor  # (S,) bool
    volume: torch.Tensor  # (S,) Å^3
    weight: torch.Tensor  # (S,)
    group: torch.Tensor  # (S,) long
    atomic_energies: torch.Tensor  # (A,) eV per-atom energy targets (zeros where missing)
    atomic_energy_mask: torch.Tensor  # (A,) bool


def collate(frames: list[PreparedFrame]) -> Batch:
    dtype = frames[0].descriptors.dtype
    sizes = torch.tensor([f.n_atoms for f in frames])
    starts = torch.cumsum(sizes, 0) - sizes
    n_pairs = torch.tensor([len(f.pair_first) for f in frames])
    structure = torch.arange(len(frames))
    pair_offset = torch.repeat_interleave(starts, n_pairs)
    return Batch(
        species=torch.cat([f.species for f in frames]),
        descriptors=torch.cat([f.descriptors for f in frames]),
        atom_structure=torch.repeat_interleave(structure, sizes),
        n_atoms=sizes,
        pair_first=torch.cat([f.pair_first for f in frames]) + pair_offset,
        pair_second=torch.cat([f.pair_second for f in frames]) + pair_offset,
        pair_structure=torch.repeat_interleave(structure, n_pairs),
        pair_vectors=torch.cat([f.pair_vectors for f in frames]),
        pair_derivatives=torch.cat([f.pair_derivatives for f in frames]),
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
        volume=torch.tensor([f.volume for f in frames], dtype=dtype),
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
