"""Extrapolation detection without an ensemble: descriptors outside the training range.

Each element's network remembers the smallest and largest value of every symmetry function over
its training atoms. An atom extrapolates in a function when its value lies outside that range
(n2p2's extrapolation warnings); the count of such functions per atom is the warning level.
Models saved before ranges were stored load with the range unknown (-inf, +inf).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from mlpot.models.descriptor_range import DescriptorRange


def count_extrapolations(
    ranges: Mapping[str, DescriptorRange],
    elements: Sequence[str],
    descriptors: np.ndarray | torch.Tensor,
    species: np.ndarray | torch.Tensor,
) -> np.ndarray:
    """(N,) functions outside their training range per atom, for descriptors (N, F) padded as
    ACSF writes them and element indices (N,) into `elements`."""
    g = torch.as_tensor(descriptors)
    species = torch.as_tensor(species)
    counts = torch.zeros(len(species), dtype=torch.long)
    for e, element in enumerate(elements):
        rows = torch.nonzero(species == e).squeeze(1)
        if len(rows):
            limits = ranges[element]
            counts[rows] = limits.count_outside(g[rows, : len(limits.low)])
    return counts.numpy()


def union_range(ranges: Sequence[DescriptorRange]) -> DescriptorRange:
    """The range covering all of `ranges` (same width): what any of them saw in training."""
    union = DescriptorRange(len(ranges[0].low), torch.float64)
    with torch.no_grad():
        union.low.copy_(torch.stack([r.low.double() for r in ranges]).min(0).values)
        union.high.copy_(torch.stack([r.high.double() for r in ranges]).max(0).values)
    return union
