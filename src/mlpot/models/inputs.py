"""What a model reads: structures as tensors, one or several concatenated (a batch).

A batch of S structures has A atoms and P directed neighbour pairs; indices are into the
batch's atoms. Features are the family's own arrays (mlpot.models.potential.StructureInputs),
one row per atom or per pair, concatenated in structure order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import torch

from mlpot.models.potential import StructureInputs


@dataclass
class ModelInputs:
    species: torch.Tensor  # (A,) long, index into the model's elements
    atom_structure: torch.Tensor  # (A,) long, structure of each atom
    n_atoms: torch.Tensor  # (S,) long
    pair_first: torch.Tensor  # (P,) long, central atom i of pair p = (i, j)
    pair_second: torch.Tensor  # (P,) long, neighbour j
    pair_structure: torch.Tensor  # (P,) long
    pair_vectors: torch.Tensor  # (P, 3) Å, R_j - R_i + shift
    volume: torch.Tensor  # (S,) Å^3; 0 where the cell is not periodic in all directions
    features: dict[str, torch.Tensor]
    # (S,) long, each structure's fidelity (mlpot.models.fidelity; 0 for single-fidelity models)
    fidelity: torch.Tensor

    @property
    def n_structures(self) -> int:
        return len(self.n_atoms)

    @classmethod
    def of_structure(
        cls,
        structure: StructureInputs,
        cell: np.ndarray,
        pbc: np.ndarray,
        dtype: torch.dtype,
        fidelity: int = 0,
    ) -> ModelInputs:
        """One structure's inputs as tensors (float ones in `dtype`), labelled with the
        fidelity index `fidelity` (Fidelities.index)."""
        n_atoms, n_pairs = len(structure.species), len(structure.pairs.first)
        periodic = bool(np.all(pbc))
        volume = abs(float(np.linalg.det(cell))) if periodic else 0.0
        return cls(
            species=torch.from_numpy(structure.species),
            atom_structure=torch.zeros(n_atoms, dtype=torch.long),
            n_atoms=torch.tensor([n_atoms]),
            pair_first=torch.from_numpy(structure.pairs.first),
            pair_second=torch.from_numpy(structure.pairs.second),
            pair_structure=torch.zeros(n_pairs, dtype=torch.long),
            pair_vectors=torch.as_tensor(structure.pairs.vectors, dtype=dtype),
            volume=torch.tensor([volume], dtype=dtype),
            features={k: _tensor(v, dtype) for k, v in structure.features.items()},
            fidelity=torch.tensor([fidelity]),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[ModelInputs]) -> ModelInputs:
        """The structures of `parts` as one batch, in order."""
        sizes = torch.cat([p.n_atoms.sum().reshape(1) for p in parts])
        n_pairs = torch.tensor([len(p.pair_first) for p in parts])
        atom_offset = torch.cumsum(sizes, 0) - sizes
        pair_offset = torch.repeat_interleave(atom_offset, n_pairs)
        n_structures = torch.tensor([p.n_structures for p in parts])
        structure_offset = torch.cumsum(n_structures, 0) - n_structures
        atoms_of = torch.tensor([len(p.species) for p in parts])
        return cls(
            species=torch.cat([p.species for p in parts]),
            atom_structure=torch.cat([p.atom_structure for p in parts])
            + torch.repeat_interleave(structure_offset, atoms_of),
            n_atoms=torch.cat([p.n_atoms for p in parts]),
            pair_first=torch.cat([p.pair_first for p in parts]) + pair_offset,
            pair_second=torch.cat([p.pair_second for p in parts]) + pair_offset,
            pair_structure=torch.cat([p.pair_structure for p in parts])
            + torch.repeat_interleave(structure_offset, n_pairs),
            pair_vectors=torch.cat([p.pair_vectors for p in parts]),
            volume=torch.cat([p.volume for p in parts]),
            features={k: torch.cat([p.features[k] for p in parts]) for k in parts[0].features},
            fidelity=torch.cat([p.fidelity for p in parts]),
        )

    def to(self, device: torch.device | str) -> ModelInputs:
        """These inputs with every tensor on `device`."""
        moved = {f.name: getattr(self, f.name) for f in fields(self)}
        moved = {k: v.to(device) for k, v in moved.items() if k != "features"}
        features = {k: v.to(device) for k, v in self.features.items()}
        return ModelInputs(**moved, features=features)


def _tensor(values: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.floating):
        return torch.as_tensor(values, dtype=dtype)
    return torch.from_numpy(values)
