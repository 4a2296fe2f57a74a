"""Frame selections in SIMPLE-NN style: "OUTCAR 100:2000:20" is a path and a Python slice."""

from __future__ import annotations

import re

_INDEX = re.compile(r"^[+-]?\d+$")
_SLICE = re.compile(r"^([+-]?\d+)?:([+-]?\d+)?(?::([+-]?\d+)?)?$")

ALL = slice(None)


def parse_selection(text: str) -> slice:
    """A selection string as a slice: "5" -> slice(5, 6), "-1" -> slice(-1, None),
    ":" -> everything, "100:2000:20" -> slice(100, 2000, 20).

    Raises ValueError with a readable message for anything else.
    """
    text = text.strip()
    if _INDEX.match(text):
        index = int(text)
        return slice(index, index + 1 if index != -1 else None)
    match = _SLICE.match(text)
    if match is None:
        raise ValueError(
            f"bad frame selection '{text}': write a single index ('5', '-1') "
            "or a Python slice ('start:stop:step', ':' for all frames)"
        )
    start, stop, step = (int(g) if g else None for g in match.groups())
    if step == 0:
        raise ValueError(f"bad frame selection '{text}': the step of a slice cannot be 0")
    return slice(start, stop, step)


def looks_like_selection(token: str) -> bool:
    """True for tokens meant as a selection: an integer, or anything with ':'."""
    return bool(_INDEX.match(token)) or ":" in token


def split_entry(entry: str) -> tuple[str, str]:
    """Split "path [selection]" into (path, selection); the selection defaults to ":".

    The selection is the last whitespace-separated token when it is an integer or
    contains ':'; otherwise the whole entry is the path (so paths may hold spaces).
    """
    entry = entry.strip()
    parts = entry.rsplit(maxsplit=1)
    if len(parts) == 2 and looks_like_selection(parts[1]):
        return parts[0], parts[1]
    return entry, ":"


def selected_indices(selection: slice, count: int) -> range:
    """The file indices a selection picks from `count` frames."""
    return range(count)[selection]


def is_forward(selection: slice) -> bool:
    """True when the indices of a selection can be known without the frame count."""
    return (
        (selection.start is None or selection.start >= 0)
        and (selection.stop is None or selection.stop >= 0)
        and (selection.step is None or selection.step > 0)
    )


def forward_indices(selection: slice, n_selected: int) -> range:
    """File indices of the n_selected frames a forward selection returned."""
    start = selection.start or 0
    step = selection.step or 1
    return range(start, start + n_selected * step, step)
