"""Selection: uncertainty thresholds, then farthest-point sampling on descriptor summaries.

A structure with lower <= uncertainty < upper is a candidate; below lower the ensemble
already knows it, at or above upper it is taken as unphysical and only counted. Candidates
are picked farthest-point first (the most uncertain one first) in the space of descriptor
summaries, so near-duplicates are left out: picking stops at the cap or when no remaining
candidate is farther than min_distance from every pick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from ase import Atoms

from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.models.potential import DESCRIPTOR_FEATURES
from mlpot.neighbours.pairs import neighbour_pairs


@dataclass(frozen=True)
class Selection:
    """Outcome of select for `explored` structures; `chosen` indexes them."""

    chosen: list[int]
    explored: int
    below: int
    window: int
    above: int
    duplicates: int
    capped: int

    def counts(self) -> dict[str, int]:
        return {
            "explored": self.explored,
            "below_lower": self.below,
            "in_window": self.window,
            "above_upper": self.above,
            "duplicates": self.duplicates,
            "capped": self.capped,
            "selected": len(self.chosen),
        }


def farthest_point_sampling(
    points: np.ndarray, first: int, cap: int, min_distance: float = 0.0
) -> list[int]:
    """Indices into points (M, D): `first`, then repeatedly the point farthest from all picked,
    while that distance exceeds min_distance (exact duplicates are never picked) and fewer
    than cap are picked."""
    if len(points) == 0 or cap < 1:
        return []
    chosen = [first]
    nearest = np.linalg.norm(points - points[first], axis=1)
    while len(chosen) < cap:
        best = int(np.argmax(nearest))
        if nearest[best] <= min_distance:
            break
        chosen.append(best)
        nearest = np.minimum(nearest, np.linalg.norm(points - points[best], axis=1))
    return chosen


def descriptor_summaries(model: NeuralNetworkPotential, images: Sequence[Atoms]) -> np.ndarray:
    """(M, 3 E F) per-structure summaries: for each of the model's E elements the fraction of
    atoms, and the mean and standard deviation of the scaled descriptors (F padded columns)
    over that element's atoms (zeros where there are none)."""
    model.require(DESCRIPTOR_FEATURES, "selection by descriptor diversity")
    acsf = model.descriptor_engine
    width = acsf.n_features
    rows = []
    for atoms in images:
        species = acsf.species(atoms.numbers)
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
        descriptors, _ = acsf.compute(species, pairs)
        parts = []
        for e, element in enumerate(model.elements):
            mine = descriptors[species == e, : model.sfset.n_features(element)]
            summary = np.zeros((3, width))
            if len(mine):
                with torch.no_grad():
                    scaled = model.scalers[element](torch.as_tensor(mine, dtype=model.dtype))
                scaled = scaled.double().numpy()
                summary[0, :] = len(mine) / len(atoms)
                summary[1, : scaled.shape[1]] = scaled.mean(0)
                summary[2, : scaled.shape[1]] = scaled.std(0)
            parts.append(summary.ravel())
        rows.append(np.concatenate(parts))
    return np.array(rows).reshape(len(rows), -1)


def select(
    values: np.ndarray,
    summaries: Callable[[np.ndarray], np.ndarray],
    *,
    lower: float,
    upper: float,
    cap: int,
    min_distance: float,
) -> Selection:
    """Choose among structures with uncertainty `values` (M,).

    summaries(indices) -> (len(indices), D) descriptor summaries of those structures; it is
    called for the candidates only.
    """
    values = np.asarray(values, dtype=float)
    below = values < lower
    above = values >= upper
    window = np.flatnonzero(~below & ~above)
    chosen: list[int] = []
    if len(window):
        points = summaries(window)
        first = int(np.argmax(values[window]))
        unlimited = farthest_point_sampling(points, first, len(window), min_distance)
        chosen = [int(window[i]) for i in unlimited[:cap]]
        duplicates = len(window) - len(unlimited)
    else:
        duplicates = 0
    return Selection(
        chosen=chosen,
        explored=len(values),
        below=int(below.sum()),
        window=len(window),
        above=int(above.sum()),
        duplicates=duplicates,
        capped=len(window) - duplicates - len(chosen),
    )
