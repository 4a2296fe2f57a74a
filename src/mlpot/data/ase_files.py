"""Frames from any file ASE reads (extxyz, VASP OUTCAR and vasprun.xml, ...).

Labels come from the file's calculator results. ASE converts units at its own edge
(VASP's kB stress becomes eV/Å^3 with ASE's sign), so nothing is converted here.
The energy is the force-consistent one ("free_energy") where the file has both,
as the forces are its derivatives; else "energy".
"""

from __future__ import annotations

import re
from pathlib import Path

import ase.io
import numpy as np
from ase import Atoms
from ase.stress import full_3x3_to_voigt_6_stress

from mlpot.data.errors import DataError, source_id
from mlpot.data.frame import Frame
from mlpot.data.selection import ALL, forward_indices, is_forward, selected_indices

# Keys Frame.to_atoms writes into atoms.info; on reading they become Frame fields.
_FRAME_KEYS = ("group", "weight", "source")
# Names other programs give the reference labels in extended XYZ (ASE reads "forces" and
# "energy" as labels, the others as plain per-atom arrays and info keys).
FORCE_COLUMNS = ("forces", "force", "dft_force", "dft_forces", "ref_force", "ref_forces")
ENERGY_KEYS = ("energy", "dft_energy", "ref_energy", "total_energy")
# Per-atom columns that are never labels (listed when no force column is found).
_STRUCTURE_COLUMNS = ("numbers", "positions")


def read_ase(path: str | Path, index: slice = ALL, format: str | None = None) -> list[Frame]:
    """Read the frames `index` (a slice of the file's frames) with ase.io.read.

    format: an ASE format name, or None to let ASE guess from the name and content.
    Frame.source is "path:i" with i the 0-based index in the file. Frames are not
    validated here; a frame without labels gets energy None / forces None.
    """
    if format == "vasp-out" or (format is None and "OUTCAR" in Path(path).name):
        warn_incomplete_outcar(path)
    if is_forward(index):
        images = _ase_read(path, index, format)
        indices = forward_indices(index, len(images))
    else:  # negative bounds: the file's length decides which frames these are
        everything = _ase_read(path, ALL, format)
        indices = selected_indices(index, len(everything))
        images = [everything[i] for i in indices]
    return [
        frame_from_atoms(atoms, source_id(path, i))
        for atoms, i in zip(images, indices, strict=True)
    ]


_IONIC_STEP = re.compile(r"-{5,} Iteration\s+(\d+)\(")
_STEP_DONE = "FREE ENERGIE OF THE ION-ELECTRON SYSTEM"


def warn_incomplete_outcar(path: str | Path) -> int:
    """Warn when a VASP OUTCAR ends inside an ionic step (a killed or running job): ASE leaves
    that step out. Returns the number of incomplete steps (0 or 1)."""
    started, done = set(), 0
    with open(path, errors="replace") as handle:
        for line in handle:
            match = _IONIC_STEP.search(line)
            if match:
                started.add(int(match.group(1)))
            elif _STEP_DONE in line:
                done += 1
    missing = len(started) - done
    if missing > 0:
        from mlpot.data.sanity import notify

        notify(
            f"'{path}': the file ends inside ionic step {max(started)} (no final energy: the "
            f"run was stopped or is still running); that step is left out, the {done} "
            "complete step(s) are read"
        )
    return max(missing, 0)


def _ase_read(path: str | Path, index: slice, format: str | None) -> list[Atoms]:
    try:
        images = ase.io.read(path, index=index, format=format)
    except Exception as err:  # ASE raises many types; all mean "cannot read this file"
        hint = "pass the format explicitly" if format is None else f"is it really '{format}'?"
        raise DataError(
            f"'{path}': ASE could not read it ({type(err).__name__}: {err}). Check that "
            f"the file is complete and in a format ASE reads ({hint})"
        ) from err
    return list(images) if isinstance(images, list) else [images]


def frame_from_atoms(atoms: Atoms, source: str) -> Frame:
    """A Frame from an ase.Atoms with its calculator results (if any) as labels.

    Info keys "group" and "weight" (as Frame.to_atoms writes them) become the
    frame's group and weight.
    """
    results = atoms.calc.results if atoms.calc is not None else {}
    info = {k: v for k, v in atoms.info.items() if k not in _FRAME_KEYS}
    forces = results.get("forces", _named(atoms.arrays, FORCE_COLUMNS))
    if forces is None:
        info["columns"] = " ".join(k for k in atoms.arrays if k not in _STRUCTURE_COLUMNS)
    return Frame(
        numbers=atoms.numbers.copy(),
        positions=np.array(atoms.positions, dtype=float),
        cell=np.array(atoms.cell.array, dtype=float),
        pbc=np.array(atoms.pbc, dtype=bool),
        energy=_energy({**_named_items(atoms.info, ENERGY_KEYS), **results}),
        forces=_array_or_none(forces),
        stress=_stress(results.get("stress")),
        group=str(atoms.info.get("group", "default")),
        weight=float(atoms.info.get("weight", 1.0)),
        source=source,
        info=info,
    )


def _named(table: dict, names: tuple[str, ...]):
    """The value of the first key of table matching one of names (any case), or None."""
    lower = {str(k).lower(): v for k, v in table.items()}
    return next((lower[n] for n in names if n in lower), None)


def _named_items(table: dict, names: tuple[str, ...]) -> dict:
    value = _named(table, names)
    return {} if value is None else {"energy": value}


def _energy(results: dict) -> float | None:
    value = results.get("free_energy", results.get("energy"))
    return None if value is None else float(value)


def _array_or_none(value) -> np.ndarray | None:
    return None if value is None else np.array(value, dtype=float)


def _stress(value) -> np.ndarray | None:
    stress = _array_or_none(value)
    if stress is not None and stress.shape == (3, 3):
        stress = full_3x3_to_voigt_6_stress(stress)
    return stress
