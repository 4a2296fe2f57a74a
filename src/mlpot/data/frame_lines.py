"""First line of every frame in line-based formats, so messages can point at it."""

from __future__ import annotations

from pathlib import Path

XYZ_FORMATS = ("extxyz", "xyz")


def frame_start_lines(path: str | Path, kind: str | None) -> list[int] | None:
    """1-based first line of each frame of `path`, or None where not known.

    kind: "n2p2" (frames start at 'begin'), "extxyz"/"xyz" (a count line, a comment
    line, then that many atom lines); None guesses xyz from a .xyz/.extxyz suffix.
    """
    if kind is None and Path(path).suffix.lower() in (".xyz", ".extxyz"):
        kind = "extxyz"
    if kind not in ("n2p2", *XYZ_FORMATS):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.readlines()
    except (OSError, UnicodeDecodeError):
        return None
    if kind == "n2p2":
        return [n for n, line in enumerate(lines, start=1) if line.split()[:1] == ["begin"]]
    return _xyz_starts(lines)


def _xyz_starts(lines: list[str]) -> list[int] | None:
    starts, position = [], 0
    while position < len(lines):
        fields = lines[position].split()
        if not fields:  # trailing blank lines
            position += 1
            continue
        if not fields[0].isdigit():
            return None
        starts.append(position + 1)
        position += int(fields[0]) + 2
    return starts
