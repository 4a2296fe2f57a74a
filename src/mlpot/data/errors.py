"""The one exception type for bad input data, and how its messages name a location."""

from __future__ import annotations

from pathlib import Path

from mlpot.errors import MlpotError


class DataError(MlpotError):
    """A problem with the user's input data (an Exception, via MlpotError).

    The message says which file (and frame, and line where the format has lines)
    is affected, what is wrong, and what to do about it.
    """


def location(path: str | Path, frame: int | None = None, line: int | None = None) -> str:
    """Human-readable place in a file: "'data/OUTCAR', frame 3 (line 120)".

    frame is the 0-based index of the structure in the file, line is 1-based.
    """
    text = f"'{path}'"
    if frame is not None:
        text += f", frame {frame}"
    if line is not None:
        text += f" (line {line})" if frame is not None else f", line {line}"
    return text


def source_id(path: str | Path, frame: int) -> str:
    """The value of Frame.source for frame `frame` (0-based) of file `path`."""
    return f"{path}:{frame}"


def split_source(source: str) -> tuple[str, int | None]:
    """Inverse of source_id: ("path", frame) or (source, None) when it carries no index."""
    path, sep, index = source.rpartition(":")
    if sep and index.lstrip("-").isdigit():
        return path, int(index)
    return source, None


def describe_source(source: str, line: int | None = None) -> str | None:
    """location() of a Frame.source "path:i", or None when it carries no index."""
    path, index = split_source(source)
    return None if index is None else location(path, index, line)
