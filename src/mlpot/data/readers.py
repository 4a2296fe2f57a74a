"""One entry point for training data: read_frames("OUTCAR 100:2000:20").

Formats: ".json" -> mlearn, "input.data" or ".data" -> n2p2, anything else -> ASE
(ASE guesses from the name and content, or pass format=...). Every frame read is
validated before it is returned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from mlpot.data.ase_files import read_ase
from mlpot.data.errors import DataError, split_source
from mlpot.data.frame import Frame
from mlpot.data.frame_lines import frame_start_lines
from mlpot.data.mlearn import read_mlearn
from mlpot.data.n2p2_data import ANGSTROM_EV, FileUnits, read_n2p2_data
from mlpot.data.patterns import match_files
from mlpot.data.selection import ALL, parse_selection, split_entry
from mlpot.data.validate import validate_frames

MLEARN = "mlearn"
N2P2 = "n2p2"


def detect_format(path: str | Path) -> str | None:
    """ "mlearn" for *.json, "n2p2" for input.data and *.data, else None (ASE guesses)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return MLEARN
    if path.name == "input.data" or path.suffix.lower() == ".data":
        return N2P2
    return None


def read_frames(
    entry: str | Path,
    *,
    base_dir: str | Path | None = None,
    format: str | None = None,
    group: str | None = None,
    weight: float | None = None,
    units: FileUnits | None = None,
    elements: Iterable[str] | None = None,
    require_forces: bool = True,
) -> list[Frame]:
    """Read and validate the frames an entry names.

    entry: "path [selection]" as a string: path may hold globs (*, ?, [..]) and
        braces ({a,b}, {1..3}); selection is an index ("5", "-1") or a slice
        ("100:2000:20", ":" = all, the default), applied to each file. A Path
        names files the same way and selects all frames.
    base_dir: where relative paths start (default: the working directory).
    format: "mlearn", "n2p2" or an ASE format name; None detects it from the name.
    group, weight: given to every frame; None keeps what the file says (an extxyz
        'group'/'weight' in the frame info, an mlearn record's group), else
        "default" and 1.0.
    units: file units of n2p2 files (default Å and eV); an error for other formats.
    elements, require_forces: passed to validate_frames.
    Returns frames in file order, files in natural name order.
    """
    pattern, selection_text = (str(entry), ":") if isinstance(entry, Path) else split_entry(entry)
    try:
        selection = parse_selection(selection_text)
    except ValueError as err:
        raise DataError(f"entry '{entry}': {err}") from None
    _check_weight(weight, entry)
    elements = None if elements is None else list(elements)
    frames = []
    for path in match_files(pattern, base_dir if base_dir is not None else "."):
        frames += read_file(
            path,
            selection,
            format=format,
            units=units,
            elements=elements,
            require_forces=require_forces,
        )
    for frame in frames:
        frame.group = group if group is not None else frame.group
        frame.weight = weight if weight is not None else frame.weight
    return frames


def read_file(
    path: str | Path,
    selection: slice = ALL,
    *,
    format: str | None = None,
    units: FileUnits | None = None,
    elements: Iterable[str] | None = None,
    require_forces: bool = True,
) -> list[Frame]:
    """Read and validate frames `selection` of one file (see read_frames)."""
    kind = format or detect_format(path)
    if units is not None and kind != N2P2:
        raise DataError(
            f"'{path}': file units apply to n2p2 input.data files only; this is read as "
            f"'{kind or 'an ASE format'}', which carries its own units"
        )
    if kind == MLEARN:
        frames = read_mlearn(path, selection)
    elif kind == N2P2:
        frames = read_n2p2_data(path, selection, units or ANGSTROM_EV)
    else:
        frames = read_ase(path, selection, kind)
    if not frames:
        raise DataError(
            f"'{path}': the selection '{_slice_text(selection)}' gives no frames; the file "
            "holds fewer frames than the selection asks for (or none): check the slice"
        )
    validate_frames(
        frames, elements=elements, require_forces=require_forces, lines=_lines(path, kind, frames)
    )
    return frames


def _lines(path: str | Path, kind: str | None, frames: list[Frame]) -> list[int | None] | None:
    starts = frame_start_lines(path, kind)
    if starts is None:
        return None
    indices = [split_source(frame.source)[1] for frame in frames]
    return [starts[i] if i is not None and i < len(starts) else None for i in indices]


def _slice_text(selection: slice) -> str:
    parts = ["" if v is None else str(v) for v in (selection.start, selection.stop)]
    if selection.step is not None:
        parts.append(str(selection.step))
    return ":".join(parts)


def _check_weight(weight: float | None, entry: str | Path) -> None:
    if weight is not None and not (math.isfinite(weight) and weight >= 0):
        raise DataError(f"entry '{entry}': weight {weight} is not allowed; use a number >= 0")
