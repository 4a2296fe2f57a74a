"""Per-atom descriptors as the networks see them: ACSF of the model's set, then its scalers.

Descriptor maps, coverage scores and GDF weights all work in this space, so distances mean the
same thing everywhere: one unit is the spread the model's scaling saw in its training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from mlpot.data.frame import Frame
from mlpot.errors import MlpotError
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.models.potential import DESCRIPTOR_FEATURES
from mlpot.neighbours.pairs import neighbour_pairs


@dataclass(frozen=True)
class AtomDescriptors:
    """Scaled descriptors of every atom of a list of frames, atoms in frame order.

    values:     (A, F) scaled descriptors (the network inputs, dimensionless); atom i of element
                e uses the first n_features[e] columns, the rest are zero
    raw:        (A, F) the descriptors before scaling
    species:    (A,) element index into elements
    frame:      (A,) index of the frame each atom belongs to
    elements:   element symbols of the model
    n_features: number of descriptors per element
    """

    values: np.ndarray
    raw: np.ndarray
    species: np.ndarray
    frame: np.ndarray
    elements: tuple[str, ...]
    n_features: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.species)

    @property
    def n_frames(self) -> int:
        return int(self.frame.max()) + 1 if len(self.frame) else 0

    def element_mask(self, e: int) -> np.ndarray:
        return self.species == e

    def of_element(self, e: int) -> np.ndarray:
        """(A_e, n_features[e]) descriptors of the atoms of element index e."""
        return self.values[self.species == e, : self.n_features[e]]


def atom_descriptors(
    model: NeuralNetworkPotential, frames: Sequence[Frame], *, progress: bool = False
) -> AtomDescriptors:
    """Scaled descriptors of all atoms of frames (see AtomDescriptors)."""
    model.require(DESCRIPTOR_FEATURES, "descriptor-space analysis")
    acsf = model.descriptor_engine
    blocks, species_blocks, frame_blocks = [], [], []
    for index, frame in enumerate(tqdm(frames, desc="descriptors", disable=not progress)):
        try:
            species = acsf.species(frame.numbers)
        except MlpotError as exc:
            raise MlpotError(f"{frame.source or f'frame {index}'}: {exc}") from None
        pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, acsf.cutoff)
        blocks.append(acsf.compute(species, pairs)[0])
        species_blocks.append(species)
        frame_blocks.append(np.full(len(species), index))
    if not blocks:
        raise MlpotError("no frames to compute descriptors of: check the paths and slices")
    raw, species = np.concatenate(blocks), np.concatenate(species_blocks)
    n_features = tuple(model.sfset.n_features(e) for e in model.elements)
    return AtomDescriptors(
        values=_scaled(model, raw, species, n_features),
        raw=raw,
        species=species.astype(np.int64),
        frame=np.concatenate(frame_blocks).astype(np.int64),
        elements=tuple(model.elements),
        n_features=n_features,
    )


def _scaled(
    model: NeuralNetworkPotential, raw: np.ndarray, species: np.ndarray, n_features: tuple
) -> np.ndarray:
    out = np.zeros_like(raw)
    with torch.no_grad():
        for e, element in enumerate(model.elements):
            rows = species == e
            g = torch.from_numpy(raw[rows, : n_features[e]]).to(model.dtype)
            out[rows, : n_features[e]] = model.scalers[element](g).double().numpy()
    return out
