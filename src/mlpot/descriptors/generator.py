"""Default symmetry-function sets generated from the element list and the cutoff.

Radial G2 on a grid between r_min and the cutoff:
    shifted: r_s on an even grid, eta = 1 / (2 dr^2) with dr the grid spacing
    centred: r_s = 0, widths sigma_k on an even grid, eta = 1 / (2 sigma_k^2)
Angular (G4 narrow or G5 wide) with r_s = 0, eta from centred widths, every zeta and lambda;
shell-resolved angular G5 with r_s on the shifted grid (angular_shells of them): both
neighbours near the same r_s, with no r_jk factor, which would suppress most angles of a
shell; with mixed_shells, also a group for every two shells (one neighbour near each r_s).
Every element pair gets the same grids (n2p2's sfparamgen does the same).
"""

from __future__ import annotations

import hashlib
import itertools
from typing import TYPE_CHECKING

import numpy as np

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)

if TYPE_CHECKING:
    from mlpot.config.sections import DescriptorsConfig


def radial_grid(r_min: float, cutoff: float, n: int, mode: str) -> list[tuple[float, float]]:
    """(eta, r_s) pairs, eta in 1/Å^2 and r_s in Å."""
    if mode == "shifted":
        shifts = np.linspace(r_min, cutoff, n + 1)[:-1]
        spacing = (cutoff - r_min) / n
        return [(1.0 / (2.0 * spacing**2), float(rs)) for rs in shifts]
    if mode == "centred":
        widths = np.linspace(r_min, cutoff, n + 1)[:-1] if n > 1 else [cutoff / 2]
        return [(1.0 / (2.0 * w**2), 0.0) for w in widths]
    raise ValueError(f"radial mode must be 'shifted' or 'centred', got {mode!r}")


AUTO_CUTOFF_RANGE = (4.0, 10.0)  # Å
AUTO_CUTOFF_FRAMES = 1000


def auto_cutoff(frames, neighbours: int = 50, seed: int = 0) -> float:
    """The median over atoms of the distance to the `neighbours`-th neighbour (Å), rounded up
    to 0.1 Å and kept within AUTO_CUTOFF_RANGE; atoms with fewer neighbours within the upper
    bound (molecules, vacuum) count as the upper bound. At most AUTO_CUTOFF_FRAMES frames
    are looked at, beyond that a seeded random choice; the result does not depend on the
    order of the frames or on repeats of one (so not on which of them a validation split holds
    out, nor on a bootstrap sample's repeats)."""
    from mlpot.neighbours.pairs import neighbour_pairs

    lo, hi = AUTO_CUTOFF_RANGE
    frames = [f for _, f in sorted({_content_key(f): f for f in frames}.items())]
    if len(frames) > AUTO_CUTOFF_FRAMES:
        chosen = np.random.default_rng(seed).permutation(len(frames))[:AUTO_CUTOFF_FRAMES]
        frames = [frames[i] for i in sorted(chosen)]
    distances = []
    for frame in frames:
        pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, hi)
        for start, stop in zip(pairs.offsets[:-1], pairs.offsets[1:], strict=True):
            d = np.sort(pairs.distances[start:stop])
            distances.append(d[neighbours - 1] if len(d) >= neighbours else hi)
    if not distances:
        raise ValueError("no structures to choose a cutoff from")
    cutoff = np.ceil(np.median(distances) * 10.0) / 10.0
    return float(min(max(cutoff, lo), hi))


def _content_key(frame) -> str:
    """A key that orders frames by their content alone."""
    digest = hashlib.sha1(np.ascontiguousarray(frame.numbers, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(frame.positions, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(np.asarray(frame.cell), dtype=np.float64).tobytes())
    return digest.hexdigest()


def default_angular_eta(r_min: float, cutoff: float, n: int = 3) -> list[float]:
    """Centred widths from r_min to about the cutoff: eta = 1 / (2 sigma^2)."""
    widths = np.linspace(max(r_min, 1.0), cutoff, n)
    return [float(1.0 / (2.0 * w**2)) for w in widths]


def default_symmetry_functions(
    elements: list[str],
    cutoff: float,
    cutoff_function: CutoffFunction | None = None,
    *,
    r_min: float = 1.0,
    recipe: DescriptorsConfig | None = None,
) -> SymmetryFunctionSet:
    """A sensible set: r_min (Å) is about the shortest interatomic distance in the data;
    recipe: the generator keys of a descriptors config section (n_radial, radial_mode,
    angular, angular_eta, zeta, lambdas, angular_shells, mixed_shells; None: its defaults)."""
    from mlpot.config.sections import DescriptorsConfig

    r = recipe or DescriptorsConfig()
    if not 0 < r_min < cutoff:
        raise ValueError(f"need 0 < r_min ({r_min}) < cutoff ({cutoff})")
    angular_cls = {"narrow": AngularG4, "wide": AngularG5}[r.angular]
    etas = r.angular_eta or default_angular_eta(r_min, cutoff)
    radial = radial_grid(r_min, cutoff, r.n_radial, r.radial_mode)
    shells = radial_grid(r_min, cutoff, r.angular_shells, "shifted") if r.angular_shells else []
    angular_groups = [(angular_cls, eta, 0.0) for eta in etas]
    angular_groups += [(AngularG5, eta, rs) for eta, rs in shells]
    mixed = list(itertools.combinations(shells, 2)) if r.mixed_shells else []
    zeta, lambdas = tuple(r.zeta), tuple(float(x) for x in r.lambdas)
    pairs = list(itertools.combinations_with_replacement(sorted(elements), 2))
    functions = {}
    for center in elements:
        sfs: list = [RadialG2(center, e, eta, rs, cutoff) for e in elements for eta, rs in radial]
        sfs += [
            cls(center, pair, eta, lam, z, cutoff, rs)
            for pair in pairs
            for cls, eta, rs in angular_groups
            for lam in lambdas
            for z in zeta
        ]
        sfs += [
            AngularG5Mixed(center, pair, eta, lam, z, cutoff, rs, rs2)
            for pair in pairs
            for (eta, rs), (_, rs2) in mixed
            for lam in lambdas
            for z in zeta
        ]
        functions[center] = tuple(sfs)
    return SymmetryFunctionSet(tuple(elements), functions, cutoff_function or CutoffFunction())
