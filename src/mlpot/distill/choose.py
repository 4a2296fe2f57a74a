"""Choosing structures by diversity: farthest-point sampling (mlpot.active.select) on
descriptor summaries, for the MD starting structures and for the label budget.

The summaries are those of active learning (per element: the fraction of atoms, the mean and
standard deviation of each symmetry function) computed with a symmetry-function model built
from the distillation's descriptors section, each column standardised over the structures
compared, so that no one function's range dominates the distances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from mlpot.active.select import feature_summaries
from mlpot.config.sections import DescriptorsConfig
from mlpot.data.ase_files import frame_from_atoms
from mlpot.models.potential import Potential
from mlpot.selection import farthest_point_sampling


def summary_model(
    structures: Sequence[Atoms], elements: list[str], descriptors: DescriptorsConfig
) -> Potential:
    """A symmetry-function model (untrained: its descriptors unscaled) whose descriptor set
    is generated from `structures` as `mlpot train` would generate it."""
    import torch

    from mlpot.config.schema import ModelConfig
    from mlpot.models.families import BuildContext, family

    frames = [frame_from_atoms(atoms, f"structure {n}") for n, atoms in enumerate(structures)]
    context = BuildContext(elements=tuple(elements), frames=frames, descriptors=descriptors,
                           dtype=torch.float64, seed=0)
    return family("nnp").build(ModelConfig(), context)


def summaries(model: Potential, images: Sequence[Atoms]) -> np.ndarray:
    """(M, D) descriptor summaries of images, each column standardised over the M images
    (columns constant over them dropped)."""
    points = feature_summaries(model, images)
    spread = points.std(axis=0)
    keep = spread > 1e-12 * max(1.0, float(np.abs(points).max(initial=0.0)))
    return (points[:, keep] - points[:, keep].mean(axis=0)) / spread[keep]


def diverse(points: np.ndarray, count: int, min_distance: float = 0.0) -> list[int]:
    """Up to `count` indices into points (M, D), farthest-point first from point 0, no two
    closer than min_distance (exact duplicates never), in the order picked."""
    return farthest_point_sampling(points, 0, count, min_distance)


def holdout_split(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(training, holdout) indices of n labelled structures: round(fraction * n) held out
    (at least one, and at least one left for training when n > 1), drawn with `seed`."""
    held = min(max(1, round(fraction * n)), max(n - 1, 0)) if n > 1 else 0
    order = np.random.default_rng(seed).permutation(n)
    return sorted(int(i) for i in order[held:]), sorted(int(i) for i in order[:held])
