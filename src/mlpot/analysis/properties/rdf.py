"""Radial distribution function g(r) of periodic frames, from vesin neighbour lists.

g_ab(r) = V / (N_a N_b) * n_ab(r) / (4 pi r^2 dr), n_ab counting ordered pairs (i in a, j in
b, periodic images included) at distance r; averaged over frames. Without a pair, every atom
counts as both a and b. Kept beside ASE's get_rdf, which it matches to 1e-10 (tested): 12 times
faster (BENCHMARKS.md, "Library choices"), and ASE refuses cells thinner than 2 rmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from mlpot.errors import MlpotError
from mlpot.neighbours.pairs import neighbour_pairs


@dataclass
class RDFResult:
    """r: (B,) bin centres, Å; g: (B,) g(r); density: mean number density of b, 1/Å^3."""

    r: np.ndarray
    g: np.ndarray
    density: float
    n_frames: int
    pair: tuple[str, str] | None = None

    def peak(self) -> tuple[float, float]:
        """Position (Å) and height of the highest peak (the first shell in simple systems)."""
        i = int(np.argmax(self.g))
        return float(self.r[i]), float(self.g[i])

    def first_minimum(self) -> float:
        """r (Å) of the lowest g between the highest peak and where g next rises above 1."""
        start = int(np.argmax(self.g))
        after = self.g[start:]
        below = np.flatnonzero(after < 1.0)
        if not below.size:
            return float(self.r[-1])
        rise = np.flatnonzero(after[below[0] :] > 1.0)
        end = below[0] + (rise[0] if rise.size else len(after) - below[0])
        return float(self.r[start + int(np.argmin(after[:end]))])

    def coordination(self, r_max: float) -> float:
        """Mean number of b atoms within r_max of an atom of a: density * sum of g times the
        bin shell volumes (the exact inverse of the normalisation of g)."""
        half = 0.5 * (self.r[1] - self.r[0])
        shells = 4.0 / 3.0 * np.pi * ((self.r + half) ** 3 - (self.r - half) ** 3)
        inside = self.r <= r_max
        return float(self.density * np.sum((self.g * shells)[inside]))

    def summary(self) -> dict:
        position, height = self.peak()
        minimum = self.first_minimum()
        return {
            "peak_position_A": position,
            "peak_height": height,
            "first_minimum_A": minimum,
            "coordination_number": self.coordination(minimum),
        }

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "pair": list(self.pair) if self.pair else None,
            "n_frames": self.n_frames,
            "density_per_A3": self.density,
            "r_A": self.r.tolist(),
            "g": self.g.tolist(),
        }

    def warnings(self) -> list[str]:
        return []


def radial_distribution(
    frames: Sequence[Atoms],
    *,
    rmax: float = 6.0,
    bins: int = 200,
    pair: tuple[str, str] | None = None,
    source: str = "frames",
) -> RDFResult:
    """g(r) up to rmax (Å) in bins, averaged over frames (each periodic in three directions).

    pair: the elements (a, b) of a partial g_ab; source names the frames in error messages.
    """
    if not rmax > 0 or bins < 2:
        raise MlpotError(f"need rmax > 0 and at least 2 bins, got {rmax} and {bins}")
    if not frames:
        raise MlpotError(f"{source}: no frames")
    edges = np.linspace(0.0, rmax, bins + 1)
    shells = 4.0 / 3.0 * np.pi * np.diff(edges**3)
    g = np.zeros(bins)
    densities = []
    for k, atoms in enumerate(frames):
        if not np.all(atoms.pbc) or atoms.cell.rank < 3:
            raise MlpotError(
                f"{source}: frame {k} is not periodic along three cell vectors "
                f"(pbc={atoms.pbc.tolist()}): g(r) needs a volume"
            )
        a, b = _selection(atoms, pair, f"{source}: frame {k}")
        volume = atoms.get_volume()
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, rmax)
        keep = a[pairs.first] & b[pairs.second]
        counts, _ = np.histogram(pairs.distances[keep], bins=edges)
        densities.append(b.sum() / volume)
        g += counts / (a.sum() * densities[-1] * shells)
    return RDFResult(
        0.5 * (edges[1:] + edges[:-1]),
        g / len(frames),
        float(np.mean(densities)),
        len(frames),
        tuple(pair) if pair else None,
    )


def _selection(atoms: Atoms, pair: tuple[str, str] | None, where: str):
    """Boolean masks of the atoms counted as a and as b."""
    if pair is None:
        every = np.ones(len(atoms), dtype=bool)
        return every, every
    masks = []
    for symbol in pair:
        if symbol not in atomic_numbers:
            raise MlpotError(f"unknown element {symbol!r} in the pair: use symbols like Cu, Ni")
        mask = atoms.numbers == atomic_numbers[symbol]
        if not mask.any():
            raise MlpotError(f"{where} has no {symbol} atoms: choose a pair present in it")
        masks.append(mask)
    return masks[0], masks[1]


def rms_difference(model: RDFResult, reference: RDFResult) -> float:
    """Root-mean-square difference of two g(r) on the same bins."""
    if model.r.shape != reference.r.shape or not np.allclose(model.r, reference.r):
        raise MlpotError("the two g(r) have different bins: use the same rmax and bins")
    return float(np.sqrt(np.mean((model.g - reference.g) ** 2)))


def plot_rdf(comparison, path) -> None:
    """g(r) of the trajectory and of the reference trajectory, with the first minimum."""
    from mlpot.analysis.properties.plotting import MODEL_COLOR, REFERENCE_COLOR, new_figure, save

    figure, (ax,) = new_figure()
    for result, label, color in (
        (comparison.model, comparison.model_label, MODEL_COLOR),
        (comparison.reference, comparison.reference_label, REFERENCE_COLOR),
    ):
        if result is not None:
            ax.plot(
                result.r,
                result.g,
                color=color,
                label=f"{label} (n = {result.summary()['coordination_number']:.3g})",
            )
            ax.axvline(result.first_minimum(), color=color, ls=":", lw=0.8)
    ax.axhline(1.0, color="0.6", lw=0.5)
    pair = comparison.model.pair
    ax.set_xlabel("r (Å)")
    ax.set_ylabel(f"g_{pair[0]}-{pair[1]}(r)" if pair else "g(r)")
    ax.set_title("radial distribution function")
    ax.legend(fontsize="small")
    save(figure, path)
