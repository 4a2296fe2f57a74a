"""Strict checks on frames before anything uses them: the first problem raises DataError.

Readers call validate_frames, so an invalid frame never reaches training.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from ase.data import chemical_symbols

from mlpot.data.errors import DataError, describe_source
from mlpot.data.frame import Frame

_REMOVE = "fix the file or leave this frame out of the selection"


def validate_frames(
    frames: Sequence[Frame],
    *,
    elements: Iterable[str] | None = None,
    require_forces: bool = True,
    lines: Sequence[int | None] | None = None,
) -> None:
    """Raise DataError for the first frame with a problem, or for an empty list.

    Checked: at least one atom; positions (N, 3); known atomic numbers, in `elements`
    when given; an energy; forces (N, 3) when require_forces (shape always when
    present); stress (6,); no NaN/inf in positions, cell, energy, forces, stress;
    a periodic cell of non-zero volume; no two atoms closer than sanity.MIN_DISTANCE.
    The message names the file and frame (from Frame.source), and the line when `lines`
    (first line of each frame, 1-based) is given.
    """
    if len(frames) == 0:
        raise DataError("no frames: the files and selections gave none; check paths and slices")
    allowed = None if elements is None else set(elements)
    checks: list[Callable[[Frame], str | None]] = [
        _check_atoms,
        lambda frame: _check_elements(frame, allowed),
        _check_energy,
        lambda frame: _check_forces(frame, require_forces),
        _check_stress,
        _check_cell,
        _check_overlap,
    ]
    for position, frame in enumerate(frames):
        for check in checks:
            problem = check(frame)
            if problem:
                line = lines[position] if lines is not None else None
                raise DataError(f"{_where(frame, position, line)}: {problem}")


def _where(frame: Frame, position: int, line: int | None) -> str:
    where = describe_source(frame.source, line)
    if where is None:
        named = f" ({frame.source})" if frame.source else ""
        return f"frame {position} of the list{named}"
    return where


def _check_atoms(frame: Frame) -> str | None:
    n_atoms = len(frame.numbers)
    if n_atoms == 0:
        return f"the structure has no atoms; {_REMOVE}"
    if np.shape(frame.positions) != (n_atoms, 3):
        return f"positions have shape {np.shape(frame.positions)}, expected ({n_atoms}, 3)"
    unknown = [int(z) for z in frame.numbers if not 0 < z < len(chemical_symbols)]
    if unknown:
        return f"atomic number {unknown[0]} is not an element; {_REMOVE}"
    return _non_finite("positions", frame.positions)


def _check_elements(frame: Frame, allowed: set[str] | None) -> str | None:
    if allowed is None:
        return None
    extra = sorted({chemical_symbols[z] for z in frame.numbers} - allowed)
    if extra:
        return (
            f"element(s) {', '.join(extra)} not among the elements {sorted(allowed)}; "
            "add them to the elements or leave such frames out"
        )
    return None


def _check_energy(frame: Frame) -> str | None:
    if frame.energy is None:
        return (
            "no energy; the file must carry the total DFT energy of every frame "
            "(in extxyz an 'energy=' key of the comment line)"
        )
    if not np.isfinite(frame.energy):
        return f"energy is {frame.energy}; {_REMOVE}"
    return None


def _check_forces(frame: Frame, required: bool) -> str | None:
    if frame.forces is None:
        if required:
            columns = frame.info.get("columns")
            found = f" (its per-atom columns: {columns or 'none'})" if columns is not None else ""
            return (
                f"no forces{found}; name the force column 'forces' (or 'force', "
                "'dft_force', 'ref_forces'), use a file with forces, or train on energies only"
            )
        return None
    if np.shape(frame.forces) != (len(frame.numbers), 3):
        return (
            f"forces have shape {np.shape(frame.forces)}, expected ({len(frame.numbers)}, 3) "
            f"for {len(frame.numbers)} atoms; {_REMOVE}"
        )
    return _non_finite("forces", frame.forces)


def _check_stress(frame: Frame) -> str | None:
    if frame.stress is None:
        return None
    if np.shape(frame.stress) != (6,):
        return f"stress has shape {np.shape(frame.stress)}, expected (6,) in Voigt order"
    return _non_finite("stress", frame.stress, item="component")


def _check_cell(frame: Frame) -> str | None:
    if np.shape(frame.cell) != (3, 3):
        return f"cell has shape {np.shape(frame.cell)}, expected (3, 3)"
    problem = _non_finite("cell", frame.cell, item="vector")
    if problem:
        return problem
    periodic = np.asarray(frame.pbc, dtype=bool)
    if periodic.all() and abs(np.linalg.det(frame.cell)) < 1e-6:
        return "the cell of this periodic structure has zero volume; fix the lattice vectors"
    lengths = np.linalg.norm(frame.cell, axis=1)
    if (periodic & (lengths < 1e-6)).any():
        return "a periodic direction has a zero cell vector; fix the lattice or the pbc"
    return None


def _check_overlap(frame: Frame) -> str | None:
    from mlpot.data.sanity import overlap_problem

    return overlap_problem(frame.positions, frame.cell, frame.pbc)


def structure_problem(frame: Frame) -> str | None:
    """What makes the structure of `frame` unusable (labels aside), or None."""
    for check in (_check_atoms, _check_cell, _check_overlap):
        problem = check(frame)
        if problem:
            return problem
    return None


def _non_finite(name: str, values, item: str = "atom") -> str | None:
    """A message for the first NaN/inf in values ((N, 3) per `item`, or (6,)), else None."""
    array = np.asarray(values, dtype=float)
    bad = np.argwhere(~np.isfinite(array))
    if len(bad) == 0:
        return None
    first = tuple(int(i) for i in bad[0])
    return f"{name} contain {array[first]} ({item} {first[0]}); {_REMOVE}"
