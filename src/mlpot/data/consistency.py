"""Forces against energies along a trajectory: are both in the same units?

Between consecutive frames of one file with the same atoms and cell, moved a little, the
energy change is -integral F . dr, which the trapezoidal rule gives from the two frames'
forces. Energies in Hartree with forces in eV/Å make the observed change 1/27.2 of that.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlpot.data.errors import split_source
from mlpot.data.frame import Frame

MAX_STEP = 0.3  # Å: the largest displacement between frames the trapezoidal rule is used for
MIN_CHANGE = 1e-3  # eV: smaller predicted changes are noise
MIN_PAIRS = 4  # consecutive pairs needed before a file is judged
TOLERANCE = 2.0  # the median ratio must lie within 1/TOLERANCE ... TOLERANCE
# observed / predicted energy change -> the units that give it (positions in Å)
RATIOS = {
    1 / 27.211386: "energies in Hartree with forces in eV/Å",
    1 / 13.605693: "energies in Rydberg with forces in eV/Å",
    23.060548: "energies in kcal/mol with forces in eV/Å",
    1 / 23.060548: "forces in kcal/mol/Å with energies in eV",
    1000.0: "energies in meV with forces in eV/Å",
    51.422067: "forces in Hartree/Bohr with energies in eV",
    25.711034: "forces in Rydberg/Bohr with energies in eV",
    1.8897261: "energies in Hartree (or Rydberg) with forces per Bohr",
}


def energy_change_ratios(frames: Sequence[Frame]) -> dict[str, np.ndarray]:
    """Per file: observed / force-predicted energy change of each usable consecutive pair."""
    ratios: dict[str, list[float]] = {}
    for a, b in zip(frames[:-1], frames[1:], strict=True):
        path = split_source(a.source)[0]
        if path != split_source(b.source)[0] or not _comparable(a, b):
            continue
        step = _displacement(a, b)
        largest = np.abs(step).max()
        if not 1e-6 < largest < MAX_STEP:
            continue
        predicted = -0.5 * float(np.sum((a.forces + b.forces) * step))
        if abs(predicted) > MIN_CHANGE:
            ratios.setdefault(path, []).append((b.energy - a.energy) / predicted)
    return {path: np.array(values) for path, values in ratios.items()}


def unit_mismatches(frames: Sequence[Frame]) -> list[str]:
    """A message for each file whose energies do not change as its forces say they should."""
    messages = []
    for path, ratios in energy_change_ratios(frames).items():
        if len(ratios) < MIN_PAIRS:
            continue
        ratio = float(np.median(ratios))
        if 1 / TOLERANCE < ratio < TOLERANCE:
            continue
        messages.append(
            f"'{path}': along its trajectory ({len(ratios)} pairs of consecutive frames) the "
            f"energy changes {ratio:.4g} times what the forces predict (1 expected): "
            f"{likely_units(ratio)}; convert them to eV and eV/Å"
        )
    return messages


def likely_units(ratio: float, tolerance: float = 0.06) -> str:
    """What an observed / force-predicted energy change of `ratio` suggests."""
    for factor, units in RATIOS.items():
        if ratio > 0 and abs(np.log(ratio / factor)) < tolerance:
            return units
    return "energies and forces are in different units"


def _comparable(a: Frame, b: Frame) -> bool:
    return (
        a.forces is not None and b.forces is not None and len(a) == len(b)
        and np.array_equal(a.numbers, b.numbers) and np.allclose(a.cell, b.cell)
        and np.array_equal(a.pbc, b.pbc)
    )


def _displacement(a: Frame, b: Frame) -> np.ndarray:
    """(N, 3) b - a, Å, with periodic jumps across the cell removed."""
    step = np.asarray(b.positions) - np.asarray(a.positions)
    periodic = np.asarray(a.pbc, dtype=bool)
    if not periodic.any():
        return step
    fractional = step @ np.linalg.pinv(np.asarray(a.cell))
    fractional[:, periodic] -= np.round(fractional[:, periodic])
    return fractional @ np.asarray(a.cell)
