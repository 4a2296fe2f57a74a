"""n2p2's settings file (input.nn): keywords with the lines they stand on.

Each line is `keyword value...`; `#` starts a comment. Keywords such as `symfunction_short` or
`atom_energy` appear once per item, the others at most once. Every error names the file and the
line and says what to do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlpot.data.errors import location
from mlpot.errors import MlpotError

# keywords that may appear on several lines, one item each
REPEATABLE = {
    "symfunction_short",
    "atom_energy",
    "element_hidden_layers_short",
    "element_nodes_short",
    "element_activation_short",
}


@dataclass(frozen=True)
class Entry:
    """One keyword line: its value fields and its 1-based line number."""

    fields: tuple[str, ...]
    line: int


class Settings:
    """The keywords of one input.nn file."""

    def __init__(self, path: Path, entries: dict[str, list[Entry]]):
        self.path = path
        self.entries = entries

    def error(self, where: Entry | int | None, problem: str, fix: str) -> MlpotError:
        """An MlpotError "'input.nn', line N: problem; fix" (no line where None)."""
        line = where.line if isinstance(where, Entry) else where
        return MlpotError(f"{location(self.path, line=line)}: {problem}; {fix}")

    def has(self, keyword: str) -> bool:
        return keyword in self.entries

    def get(self, keyword: str) -> Entry | None:
        """The entry of a keyword given at most once (None when absent)."""
        found = self.entries.get(keyword, [])
        return found[0] if found else None

    def require(self, keyword: str, fix: str) -> Entry:
        entry = self.get(keyword)
        if entry is None or not entry.fields:
            raise self.error(None, f"no '{keyword}' line", fix)
        return entry

    def all(self, keyword: str) -> Iterator[Entry]:
        yield from self.entries.get(keyword, [])

    def number(self, entry: Entry, index: int, kind: type = float) -> float:
        """Field `index` of an entry as `kind` (float or int), with an error naming the line."""
        if index >= len(entry.fields):
            raise self.error(entry, f"too few values ({len(entry.fields)})", "see the n2p2 manual")
        text = entry.fields[index]
        try:
            value = kind(text)
        except ValueError:
            name = "an integer" if kind is int else "a number"
            raise self.error(entry, f"'{text}' is not {name}", "fix the value") from None
        if not math.isfinite(value):
            raise self.error(entry, f"'{text}' is not finite", "fix the value")
        return value


def read_settings(path: Path) -> Settings:
    """Parse input.nn; a keyword other than REPEATABLE given twice is an error."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise MlpotError(f"'{path}': cannot read it ({err.strerror})") from err
    entries: dict[str, list[Entry]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split("#", 1)[0].split()
        if not fields:
            continue
        keyword = fields[0]
        if keyword in entries and keyword not in REPEATABLE:
            first = entries[keyword][0].line
            raise MlpotError(
                f"{location(path, line=number)}: '{keyword}' again (first on line {first}); "
                "keep one of the two lines"
            )
        entries.setdefault(keyword, []).append(Entry(tuple(fields[1:]), number))
    return Settings(path, entries)
