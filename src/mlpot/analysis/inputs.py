"""Reading what the analysis commands are given: data entries with set labels."""

from __future__ import annotations

from collections.abc import Sequence

from mlpot.data.frame import Frame
from mlpot.errors import MlpotError


def read_entries(entries: Sequence[str], what: str = "data") -> list[Frame]:
    """Frames of every entry ("path [selection]", see mlpot.data.read_frames); forces and
    stress are optional. Frames whose file names no group take the entry as their group, so
    that errors per group tell files apart."""
    from mlpot.data import read_frames

    frames = []
    for entry in entries:
        for frame in read_frames(entry, require_forces=False):
            if frame.group == "default":
                frame.group = entry
            frames.append(frame)
    if not frames:
        raise MlpotError(f"no {what} frames in {' '.join(entries)}: check the paths and slices")
    return frames


def parse_labelled(text: str) -> tuple[str, str]:
    """("LABEL", "ENTRY") from "LABEL=ENTRY"."""
    label, sep, entry = text.partition("=")
    if not sep or not label.strip() or not entry.strip():
        raise MlpotError(f"'{text}' is not LABEL=FILE: write e.g. md=traj.xyz or "
                         "'md=traj.xyz 0:1000:10'")
    return label.strip(), entry.strip()


def labelled_sets(sets: Sequence[tuple[str, Sequence[str]]]) -> tuple[list[Frame], list[str]]:
    """Frames of every (label, entries) set in order, and the label of each frame."""
    frames, labels = [], []
    for label, entries in sets:
        if entries:
            read = read_entries(entries, label)
            frames += read
            labels += [label] * len(read)
    if not frames:
        raise MlpotError("no data given: pass data files (see --help)")
    return frames, labels
