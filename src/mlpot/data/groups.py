"""Named groups of training data with a weight each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mlpot.data.errors import DataError
from mlpot.data.frame import Frame
from mlpot.data.n2p2_data import FileUnits
from mlpot.data.readers import read_frames


def load_group(
    name: str,
    weight: float,
    entries: list[str],
    base_dir: str | Path,
    *,
    format: str | None = None,
    units: FileUnits | None = None,
    elements: Iterable[str] | None = None,
    require_forces: bool = True,
) -> list[Frame]:
    """Frames of every entry ("path [selection]", globs and braces allowed, see
    read_frames), with Frame.group = name and Frame.weight = weight; Frame.info["kind"] keeps
    the group label the file gives the frame (mlearn's group, an extxyz 'group'), else name.

    Relative paths start at base_dir. A pattern matching no file, a selection giving
    no frames, or an invalid frame raises DataError.
    """
    if not entries:
        raise DataError(f"group '{name}' lists no files; add 'path [selection]' entries")
    frames = []
    for entry in entries:
        read = read_frames(
            entry,
            base_dir=base_dir,
            format=format,
            weight=weight,
            units=units,
            elements=elements,
            require_forces=require_forces,
        )
        for frame in read:
            frame.info.setdefault("kind", name if frame.group == "default" else frame.group)
            frame.group = name
        frames += read
    return frames
