"""SIMPLE-NN's whitespace-separated text files: read line by line with errors that name the
file and line (as LAMMPS' pair_nn reads them: '#' starts a comment, blank lines are skipped),
and written atomically."""

from __future__ import annotations

import math
from pathlib import Path

from mlpot.errors import MlpotError
from mlpot.files import write_text_atomically
from mlpot.interop.simple_nn.functions import check_kind


class TokenLines:
    """The non-blank lines of a file as (line number, tokens), consumed in order."""

    def __init__(self, path: Path, what: str):
        self.path = Path(path)
        self.what = what
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MlpotError(f"{self.path}: no such {what} file") from None
        except (OSError, UnicodeDecodeError) as err:
            raise MlpotError(f"{self.path}: cannot read the {what} file ({err})") from None
        self._lines = [
            (number, tokens)
            for number, line in enumerate(text.splitlines(), start=1)
            if (tokens := line.split("#", 1)[0].split())
        ]
        self._next = 0
        self.line = 0  # number of the line last returned

    def __bool__(self) -> bool:
        return self._next < len(self._lines)

    def next(self, expecting: str) -> list[str]:
        """Tokens of the next line; at the end of the file an error saying what was expected."""
        if not self:
            where = f"after line {self.line}" if self.line else "in an empty file"
            raise MlpotError(
                f"{self.path}: the file ends {where} where {expecting} should follow; "
                f"the {self.what} file is truncated"
            )
        self.line, tokens = self._lines[self._next]
        self._next += 1
        return tokens

    def error(self, message: str) -> MlpotError:
        """An error about the line last returned."""
        return MlpotError(f"{self.path}, line {self.line}: {message}")

    def checked(self, function, *args):
        """function(*args), its ValueError turned into an error about the line last returned."""
        try:
            return function(*args)
        except ValueError as err:
            raise self.error(str(err)) from None

    def kind(self, token: str) -> int:
        """The symmetry-function type in `token`: 2, 4 or 5."""
        kind = self.integer(token, "the function type")
        self.checked(check_kind, kind)
        return kind

    def number(self, token: str, name: str) -> float:
        try:
            value = float(token)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise self.error(f"{name} must be a finite number, found '{token}'")
        return value

    def integer(self, token: str, name: str) -> int:
        value = self.number(token, name)
        if value != int(value):
            raise self.error(f"{name} must be a whole number, found '{token}'")
        return int(value)

    def numbers(self, tokens: list[str], count: int, name: str) -> list[float]:
        if len(tokens) != count:
            raise self.error(f"expected {count} numbers for {name}, found {len(tokens)}")
        return [self.number(token, name) for token in tokens]


def write_atomically(path: Path, text: str) -> Path:
    """Write `text` to a temporary file beside `path`, then rename: never a half-written file."""
    return write_text_atomically(path, text)
