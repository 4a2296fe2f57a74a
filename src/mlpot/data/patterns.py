"""File patterns of data entries: brace expansion ({a,b}, {1..3}) then glob (*, ?, [..]).

Brace expansion is bracex's, which follows bash exactly (tests compare it with bash itself).
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

import bracex

from mlpot.data.errors import DataError


def expand_braces(pattern: str) -> list[str]:
    """Bash brace expansion, as SIMPLE-NN's structure lists allow.

    "OUTCAR_{a,b}" -> ["OUTCAR_a", "OUTCAR_b"]; "run{1..3}" -> ["run1", "run2", "run3"];
    "{01..10..3}" -> ["01", "04", "07", "10"]; groups may nest. Braces with no comma and
    no range ("{x}") stay as they are; backslashes are kept (and escape a brace).
    """
    return bracex.expand(pattern, keep_escapes=True, limit=0)


def natural_key(text: str) -> list:
    """Sort key putting "run2" before "run10"."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def match_files(pattern: str, base_dir: str | Path = ".") -> list[Path]:
    """The files a pattern names, in natural order, without duplicates.

    Braces expand first; each alternative is a glob (relative paths are taken from
    base_dir) and must match at least one file, else DataError.
    """
    alternatives = expand_braces(pattern)
    if not alternatives:
        raise DataError(f"the file pattern '{pattern}' names no file: give a path or a glob")
    found: dict[Path, None] = {}
    for alternative in alternatives:
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
