"""Reading the structures and trajectories a check starts from, and writing its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms

from mlpot.data.selection import parse_selection
from mlpot.errors import MlpotError
from mlpot.files import write_text_atomically


def read_structure(path: str | Path) -> Atoms:
    """The structure in path (any file ASE reads; the last frame if it holds several)."""
    return read_trajectory(path, "-1")[0]


def read_trajectory(path: str | Path, frames: str = ":") -> list[Atoms]:
    """The frames of path selected by frames (an index "5" or a slice "100::10", as in data
    entries)."""
    import ase.io

    if not Path(path).is_file():
        raise MlpotError(f"{path}: no such file")
    try:
        index = parse_selection(frames)
    except ValueError as exc:
        raise MlpotError(f"{path}: {exc}") from None
    try:
        read = ase.io.read(path, index=index)
    except Exception as exc:  # ASE's readers raise many kinds
        raise MlpotError(
            f"{path}: cannot read structures ({exc}): give a file ASE reads, "
            "e.g. .traj, .xyz, POSCAR"
        ) from exc
    atoms = read if isinstance(read, list) else [read]
    if not atoms:
        raise MlpotError(f"{path}: no frames in selection {frames!r}")
    return atoms


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    """Write data as indented JSON atomically (temporary file, then rename)."""
    return write_text_atomically(path, json.dumps(data, indent=2, default=_plain) + "\n")


def _plain(value: Any) -> Any:
    """numpy values as plain JSON numbers and lists."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
