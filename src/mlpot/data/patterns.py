"""File patterns of data entries: brace expansion ({a,b}, {1..3}) then glob (*, ?, [..])."""

from __future__ import annotations

import glob
import re
from pathlib import Path

from mlpot.data.errors import DataError

_NUMBER_RANGE = re.compile(r"^([+-]?\d+)\.\.([+-]?\d+)(?:\.\.([+-]?\d+))?$")
_LETTER_RANGE = re.compile(r"^([a-zA-Z])\.\.([a-zA-Z])$")


def expand_braces(pattern: str) -> list[str]:
    """Bash-style brace expansion, as SIMPLE-NN's structure lists allow.

    "OUTCAR_{a,b}" -> ["OUTCAR_a", "OUTCAR_b"]; "run{1..3}" -> ["run1", "run2", "run3"];
    "{01..10..3}" -> ["01", "04", "07", "10"]; groups may nest. Braces with no comma and
    no range ("{x}") stay as they are.
    """
    group = _first_group(pattern)
    if group is None:
        return [pattern]
    start, end = group
    prefix, body, suffix = pattern[:start], pattern[start + 1 : end], pattern[end + 1 :]
    expanded = []
    for alternative in _alternatives(body):
        expanded.extend(expand_braces(prefix + alternative + suffix))
    return expanded


def _first_group(pattern: str) -> tuple[int, int] | None:
    """Positions of the first expandable {...} group, or None."""
    for start, char in enumerate(pattern):
        if char != "{":
            continue
        end = _matching_brace(pattern, start)
        if end is not None and _alternatives(pattern[start + 1 : end]) is not None:
            return start, end
    return None


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for position in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return position
    return None


def _alternatives(body: str) -> list[str] | None:
    """What a group body expands to, or None when it is not expandable."""
    number = _NUMBER_RANGE.match(body)
    if number:
        return _number_range(*number.groups())
    letter = _LETTER_RANGE.match(body)
    if letter:
        first, last = (ord(c) for c in letter.groups())
        step = 1 if last >= first else -1
        return [chr(code) for code in range(first, last + step, step)]
    parts = _split_top_level(body)
    return parts if len(parts) > 1 else None


def _number_range(first: str, last: str, step: str | None) -> list[str]:
    begin, end = int(first), int(last)
    stride = abs(int(step)) if step else 1
    stride = stride or 1
    padded = any(len(t.lstrip("+-")) > 1 and t.lstrip("+-").startswith("0") for t in (first, last))
    width = max(len(first), len(last)) if padded else 0
    values = range(begin, end + 1, stride) if end >= begin else range(begin, end - 1, -stride)
    return [f"{v:0{width}d}" for v in values]


def _split_top_level(body: str) -> list[str]:
    """Split at commas that are not inside nested braces."""
    parts, depth, current = [], 0, ""
    for char in body:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        current += char
    parts.append(current)
    return parts


def natural_key(text: str) -> list:
    """Sort key putting "run2" before "run10"."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def match_files(pattern: str, base_dir: str | Path = ".") -> list[Path]:
    """The files a pattern names, in natural order, without duplicates.

    Braces expand first; each alternative is a glob (relative paths are taken from
    base_dir) and must match at least one file, else DataError.
    """
    found: dict[Path, None] = {}
    for alternative in expand_braces(pattern):
        for path in _glob_one(alternative, Path(base_dir), pattern):
            found[path] = None
    return list(found)


def _glob_one(alternative: str, base_dir: Path, pattern: str) -> list[Path]:
    path = Path(alternative).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if any(char in alternative for char in "*?["):
        names = sorted(glob.glob(str(path)), key=natural_key)
        matches = [Path(name) for name in names if Path(name).is_file()]
    else:
        matches = [path] if path.is_file() else []
        if path.is_dir():
            raise DataError(
                f"'{path}' is a directory, not a data file: name the files in it, "
                f"e.g. '{Path(alternative) / '*.xyz'}'"
            )
    if not matches:
        origin = "" if alternative == pattern else f" (from '{pattern}')"
        raise DataError(
            f"no file matches '{alternative}'{origin}, looked for '{path}': check the "
            f"path and pattern; relative paths start at '{base_dir}'"
        )
    return matches
