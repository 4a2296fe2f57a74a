"""How much a descriptor set costs on some data, before any descriptor is computed.

Training keeps, per structure, the descriptors (N, F) and their derivatives per neighbour pair
(P, F, 3); the angular functions loop over neighbour triplets. Pairs are counted exactly where
that is cheap and estimated from the density (N/V 4/3 pi r_c^3 per atom) where not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlpot.data.errors import DataError
from mlpot.data.frame import Frame
from mlpot.data.sanity import notify

EXACT_PAIRS = 200_000  # frames estimated to have fewer pairs are counted exactly
WARN_FRACTION = 0.5  # warn when the estimate exceeds this fraction of the available memory
GB = 1e9


@dataclass(frozen=True)
class ResourceEstimate:
    """pairs, triplets: over all (distinct) frames; bytes: memory of the prepared data;
    isolated: atoms without any neighbour within the cutoff, of atoms."""

    pairs: int
    triplets: int
    bytes: int
    atoms: int
    isolated: int

    def text(self, triplets: bool = True) -> str:
        """In words; triplets only matter to angular descriptors."""
        counted = f", {self.triplets:.3g} triplets" if triplets else ""
        return f"{self.pairs:.3g} neighbour pairs{counted}, about {self.bytes / GB:.3g} GB"


def estimate_resources(
    frames: Sequence[Frame], cutoff: float, n_features: int, dtype_bytes: int = 8
) -> ResourceEstimate:
    """The cost of descriptors with `n_features` functions per atom within `cutoff` (Å)."""
    pairs = triplets = atoms = isolated = 0
    for frame in {id(f): f for f in frames}.values():
        counts = _neighbour_counts(frame, cutoff)
        pairs += int(counts.sum())
        triplets += int(np.sum(counts * (counts - 1) / 2))
        atoms += len(frame)
        isolated += int(np.count_nonzero(counts == 0))
    per_pair = (3 * n_features + 3) * dtype_bytes + 2 * 8  # derivatives, vectors, two indices
    size = pairs * per_pair + atoms * n_features * dtype_bytes
    return ResourceEstimate(pairs, triplets, int(size), atoms, isolated)


def _neighbour_counts(frame: Frame, cutoff: float) -> np.ndarray:
    """(N,) neighbours of each atom within cutoff: counted where cheap, else the density
    estimate."""
    n = len(frame)
    periodic = bool(np.all(frame.pbc))
    if periodic:
        density = n / abs(float(np.linalg.det(frame.cell)))
        expected = density * 4.0 / 3.0 * np.pi * cutoff**3
        if expected * n > EXACT_PAIRS:
            return np.full(n, expected)
    from mlpot.neighbours.pairs import neighbour_pairs

    pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, cutoff)
    return np.diff(pairs.offsets).astype(float)


def machine_memory() -> tuple[float, float]:
    """(total, available) memory in bytes, within a container's limit where one is set."""
    info = {}
    with open("/proc/meminfo") as handle:
        for line in handle:
            key, value = line.split(":")
            info[key] = float(value.split()[0]) * 1024
    total = info.get("MemTotal", np.inf)
    available = info.get("MemAvailable", total)
    limit = Path("/sys/fs/cgroup/memory.max")
    if limit.is_file() and limit.read_text().strip().isdigit():
        total = min(total, float(limit.read_text()))
    return total, min(available, total)


def feature_count(model) -> int:
    """The most descriptors per atom of a model (a mlpot.models.potential.Potential) whose
    features are descriptors stored with their derivatives per pair; 0 for other families."""
    from mlpot.models.potential import DESCRIPTOR_FEATURES

    if DESCRIPTOR_FEATURES not in model.capabilities:
        return 0
    return max(model.sfset.n_features(e) for e in model.elements)


def check_resources(
    frames: Sequence[Frame],
    cutoff: float,
    n_features: int,
    dtype_bytes: int = 8,
    memory: tuple[float, float] | None = None,
) -> ResourceEstimate:
    """Estimate the cost of `n_features` descriptors per atom within `cutoff` (Å) on frames
    and say it; raise DataError when every descriptor would be zero or the estimate exceeds
    the machine's memory, warn when it exceeds half the available memory or when most atoms
    see no neighbour.

    memory: (total, available) bytes; default machine_memory().
    """
    estimate = estimate_resources(frames, cutoff, n_features, dtype_bytes)
    functions = f", {n_features} descriptors per atom" if n_features else ""
    print(f"model inputs: cutoff {cutoff:g} Å{functions}; {estimate.text(n_features > 0)}")
    _check_neighbours(estimate, cutoff)
    total, available = memory if memory is not None else machine_memory()
    fix = (f"lower descriptors.cutoff (now {cutoff:g} Å; 'auto' chooses one from the "
           "data), use fewer functions or smaller structures, or training.dtype: float32")
    if estimate.bytes > total:
        raise DataError(
            f"preparing the descriptors needs about {estimate.bytes / GB:.3g} GB "
            f"({estimate.text()}), more than this machine's {total / GB:.3g} GB of memory; {fix}"
        )
    if estimate.bytes > WARN_FRACTION * available:
        notify(f"preparing the descriptors needs about {estimate.bytes / GB:.3g} GB of the "
               f"{available / GB:.3g} GB available; if memory runs out, {fix}")
    return estimate


def _check_neighbours(estimate: ResourceEstimate, cutoff: float) -> None:
    if estimate.pairs == 0:
        raise DataError(
            f"no atom has a neighbour within the cutoff of {cutoff:g} Å: every descriptor "
            "would be zero; use a cutoff above the bond lengths (typically 4-6 Å) or 'auto'"
        )
    if estimate.isolated > estimate.atoms / 2:
        notify(
            f"{estimate.isolated} of {estimate.atoms} atoms have no neighbour within the cutoff "
            f"of {cutoff:g} Å: their descriptors are all zero; use a larger cutoff or 'auto'"
        )
