"""Frames unlike the rest: a far too short bond, an energy per atom or forces far from typical.

Each finding names the frame, the value and what is typical among the others. Outliers are
reported, never dropped here: the caller decides (data.outliers in the training configuration).
Robust statistics only (the densest value, medians, percentiles), so that even half the frames
in a wrong unit do not hide each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ase.data import chemical_symbols, covalent_radii

from mlpot.data.frame import Frame
from mlpot.data.sanity import where

MIN_FRAMES = 5  # fewer frames (with the quantity) give no "typical" to compare with
SEARCH = 6.0  # Å: shortest distances are looked for within this radius
SHORT_FRACTION = 0.6  # a shortest distance below this fraction of the typical one is an outlier
LONG_FACTOR = 1.5  # ... and one above this many times the typical one (frames of 3+ atoms)
BOND_RANGE = (0.6, 1.6)  # the typical shortest distance over the sum of covalent radii
BOND_FRACTION = 0.4  # ... and so is one below this fraction of the sum of covalent radii
ENERGY_FLOOR = 1.0  # eV/atom: the least deviation from the typical energy that is reported
ENERGY_SIGMAS = 10.0  # robust standard deviations of the others
FORCE_FLOOR = 50.0  # eV/Å: the least largest force that is reported ...
FORCE_FACTOR = 10.0  # ... and it must be this many times the typical largest force
# The factor by which a value in another unit differs from the same value in eV (and Å).
UNIT_FACTORS = {
    "Hartree": 1 / 27.211386,
    "Rydberg": 1 / 13.605693,
    "kcal/mol": 23.060548,
    "kJ/mol": 96.485332,
    "meV": 1000.0,
    "Hartree/Bohr": 1 / 51.422067,
    "Bohr": 1 / 0.529177,
}


@dataclass(frozen=True)
class Outlier:
    """One value of one frame far from what the other frames have.

    source: Frame.source of the frame; value, typical, low, high: in `unit` (low-high: the
    5-95 % range of the other frames); hint: a likely cause ("Hartree instead of eV?");
    frame: the frame itself.
    """

    source: str
    quantity: str
    value: float
    unit: str
    typical: float
    low: float
    high: float
    hint: str = ""
    frame: Frame | None = field(default=None, compare=False, repr=False)

    def message(self) -> str:
        u = self.unit
        text = (
            f"{where(self.source)}: {self.quantity} {self.value:.4g} {u}, typical "
            f"{self.typical:.4g} {u} (5-95 % of the frames: {self.low:.4g} to {self.high:.4g} {u})"
        )
        return text + (f"; {self.hint}" if self.hint else "")


def find_outliers(frames: Sequence[Frame]) -> list[Outlier]:
    """Distance, energy-per-atom and force outliers of frames, in that order; energies are
    compared within each fidelity (Frame.fidelity), whose references differ."""
    by_fidelity: dict[str | None, list[Frame]] = {}
    for frame in frames:
        by_fidelity.setdefault(frame.fidelity, []).append(frame)
    energy = [o for group in by_fidelity.values() for o in energy_outliers(group)]
    return distance_outliers(frames) + energy + force_outliers(frames)


def unit_hint(ratio: float, unit: str = "eV", tolerance: float = 0.06) -> str:
    """"looks like Hartree instead of eV" where ratio (value / expected) is a unit factor (or
    its inverse: then the others look like it), else ""."""
    if not ratio > 0:
        return ""
    for name, factor in UNIT_FACTORS.items():
        if abs(np.log(ratio / factor)) < tolerance:
            return f"looks like {name} instead of {unit}"
        if abs(np.log(ratio * factor)) < tolerance:
            return f"looks like {unit} while the others are in {name}"
    return ""


def shortest_distances(frame: Frame) -> dict[tuple[int, int], float]:
    """Per element pair (Z_i <= Z_j), the shortest distance within SEARCH Å of the frame."""
    from mlpot.neighbours.pairs import neighbour_pairs

    pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, SEARCH)
    z = np.asarray(frame.numbers)
    lo = np.minimum(z[pairs.first], z[pairs.second])
    hi = np.maximum(z[pairs.first], z[pairs.second])
    result: dict[tuple[int, int], float] = {}
    for a, b, d in zip(lo.tolist(), hi.tolist(), pairs.distances.tolist(), strict=True):
        result[(a, b)] = min(d, result.get((a, b), np.inf))
    return result


def distance_outliers(frames: Sequence[Frame]) -> list[Outlier]:
    """Frames whose shortest distance of an element pair is far below that of the others, or
    far below any bond of those elements (BOND_FRACTION of the covalent radii)."""
    shortest = [shortest_distances(f) for f in frames]
    found = []
    for key in sorted({k for s in shortest for k in s}):
        values = np.array([s.get(key, np.nan) for s in shortest])
        have = np.isfinite(values)
        typical = float(np.exp(densest(np.log(values[have]), 0.25)))  # robust to a 50/50 split
        bond = BOND_FRACTION * (covalent_radii[key[0]] + covalent_radii[key[1]])
        limit = max(bond, SHORT_FRACTION * typical) if have.sum() >= MIN_FRAMES else bond
        name = f"shortest {chemical_symbols[key[0]]}-{chemical_symbols[key[1]]} distance"
        sized = np.array([len(f) >= 3 for f in frames])
        bad = have & (values < limit)
        if have.sum() >= MIN_FRAMES:
            bad |= have & sized & (values > LONG_FACTOR * typical)
        low, high = np.percentile(values[have & ~bad] if (have & ~bad).any() else values[have],
                                  [5, 95])
        for n in np.flatnonzero(bad):
            found.append(
                Outlier(frames[n].source, name, values[n], "Å", typical, low, high, "", frames[n])
            )
    return found


def bond_length_problems(frames: Sequence[Frame]) -> list[str]:
    """Messages when the typical shortest distance of the frames is far from any bond between
    the two atoms (sum of covalent radii): positions in the wrong unit or columns."""
    nearest = []
    for frame in frames:
        shortest = shortest_distances(frame)
        if shortest:
            key = min(shortest, key=shortest.get)
            nearest.append((shortest[key], key))
    if not nearest:
        return []
    distance, key = sorted(nearest)[len(nearest) // 2]
    bond = covalent_radii[key[0]] + covalent_radii[key[1]]
    ratio = distance / bond
    if BOND_RANGE[0] <= ratio <= BOND_RANGE[1]:
        return []
    pair = f"{chemical_symbols[key[0]]}-{chemical_symbols[key[1]]}"
    hint = unit_hint(ratio, "Å", tolerance=0.15)
    hint = f"{hint}: convert the positions and cell to Å" if hint else (
        "check the units and the order of the columns")
    return [
        f"the typical shortest distance in the frames ({pair}, {distance:.3g} Å) is {ratio:.2g} "
        f"times a {pair} bond ({bond:.3g} Å); {hint}"
    ]


def energy_residuals(frames: Sequence[Frame], keep: np.ndarray) -> np.ndarray:
    """Energy per atom (eV) minus a per-element reference fitted by least squares on `keep`."""
    elements = sorted({int(z) for f in frames for z in f.numbers})
    counts = np.array([[np.count_nonzero(f.numbers == z) for z in elements] for f in frames])
    energies = np.array([f.energy for f in frames], dtype=float)
    mu = np.linalg.lstsq(counts[keep], energies[keep], rcond=None)[0]
    return (energies - counts @ mu) / counts.sum(axis=1)


def densest(values: np.ndarray, width: float) -> float:
    """The value with the most others within +-width / 2 (a robust centre for bimodal data)."""
    ordered = np.sort(values)
    above = np.searchsorted(ordered, ordered + width / 2, side="right")
    below = np.searchsorted(ordered, ordered - width / 2, side="left")
    return float(ordered[np.argmax(above - below)])


def energy_outliers(frames: Sequence[Frame]) -> list[Outlier]:
    """Frames whose energy per atom (relative to a per-element fit) is far from the rest.
    Frames of fewer than 3 atoms (free atoms, dimers) are not compared."""
    usable = [f for f in frames if len(f) >= 3]
    if len(usable) < MIN_FRAMES:
        return []
    keep = np.ones(len(usable), dtype=bool)
    for _ in range(2):  # refit without the outliers of the first pass
        residuals = energy_residuals(usable, keep)
        centre = densest(residuals, ENERGY_FLOOR)
        near = np.abs(residuals - centre) < ENERGY_FLOOR
        spread = 1.4826 * np.median(np.abs(residuals[near] - centre))
        keep = np.abs(residuals - centre) <= max(ENERGY_SIGMAS * spread, ENERGY_FLOOR)
    per_atom = np.array([f.energy / len(f) for f in usable])
    expected = per_atom - residuals + centre
    low, high = np.percentile(per_atom[keep], [5, 95])
    return [
        Outlier(usable[n].source, "energy per atom", per_atom[n], "eV", expected[n], low, high,
                _ratio_hint(per_atom[n] / expected[n]), usable[n])
        for n in np.flatnonzero(~keep)
    ]


def _ratio_hint(ratio: float) -> str:
    hint = unit_hint(ratio)
    return f"{ratio:.4g} times the typical value: {hint}" if hint else ""


def force_outliers(frames: Sequence[Frame]) -> list[Outlier]:
    """Frames whose largest force is above FORCE_FLOOR and FORCE_FACTOR times the typical one."""
    labelled = [f for f in frames if f.forces is not None and len(f)]
    if len(labelled) < MIN_FRAMES:
        return []
    largest = np.array([np.linalg.norm(f.forces, axis=1).max() for f in labelled])
    typical = float(np.median(largest))
    bad = (largest > FORCE_FLOOR) & (largest > FORCE_FACTOR * typical)
    low, high = np.percentile(largest[~bad], [5, 95])
    return [
        Outlier(labelled[n].source, "largest force", largest[n], "eV/Å", typical, low, high, "",
                labelled[n])
        for n in np.flatnonzero(bad)
    ]
