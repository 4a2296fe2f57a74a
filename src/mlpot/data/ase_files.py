"""Frames from any file ASE reads (extxyz, VASP OUTCAR and vasprun.xml, ...).

Labels come from the file's calculator results. ASE converts units at its own edge
(VASP's kB stress becomes eV/Å^3 with ASE's sign), so nothing is converted here.
The energy is the force-consistent one ("free_energy") where the file has both,
as the forces are its derivatives; else "energy".
"""

from __future__ import annotations

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


def read_ase(path: str | Path, index: slice = ALL, format: str | None = None) -> list[Frame]:
    """Read the frames `index` (a slice of the file's frames) with ase.io.read.

    format: an ASE format name, or None to let ASE guess from the name and content.
    Frame.source is "path:i" with i the 0-based index in the file. Frames are not
    validated here; a frame without labels gets energy None / forces None.
    """
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
    return Frame(
        numbers=atoms.numbers.copy(),
        positions=np.array(atoms.positions, dtype=float),
        cell=np.array(atoms.cell.array, dtype=float),
        pbc=np.array(atoms.pbc, dtype=bool),
        energy=_energy(results),
        forces=_array_or_none(results.get("forces")),
        stress=_stress(results.get("stress")),
        group=str(atoms.info.get("group", "default")),
        weight=float(atoms.info.get("weight", 1.0)),
        source=source,
        info=info,
    )


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
