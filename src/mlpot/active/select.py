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
from ase import Atoms

from mlpot.models.potential import ATOM_FEATURES, Potential
from mlpot.selection import farthest_point_sampling


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


def feature_summaries(model: Potential, images: Sequence[Atoms]) -> np.ndarray:
    """(M, 3 E D) per-structure summaries: for each of the model's E elements the fraction of
    atoms, and the mean and standard deviation of the model's per-atom features (D columns,
    Potential.atom_features: scaled descriptors, node features) over that element's atoms
    (zeros where there are none)."""
    model.require(ATOM_FEATURES, "selection by diversity")
    rows = []
    for atoms in images:
        species = model.species(atoms.numbers)
        features = model.atom_features(atoms)
        parts = []
        for e in range(len(model.elements)):
            mine = features[species == e]
            summary = np.zeros((3, features.shape[1]))
            if len(mine):
                summary[0] = len(mine) / len(atoms)
                summary[1], summary[2] = mine.mean(0), mine.std(0)
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
