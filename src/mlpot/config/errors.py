"""The one error a bad configuration file raises, and the problems it lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlpot.errors import MlpotError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration file.

    file:    the configuration file
    line:    1-based line of the offending key in that file (None where unknown)
    key:     dotted key path, e.g. "training.optimizer.lr" or "data.train[0].files[1]"
    message: what is wrong and, where possible, what to write instead
    """

    file: Path
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(MlpotError):
    """A configuration file that cannot be used; `problems` lists everything found wrong."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        if not problems:
            raise ValueError("ConfigError needs at least one problem")
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.key))
        super().__init__(self._summary())

    def _summary(self) -> str:
        files = sorted({str(p.file) for p in self.problems})
        count = len(self.problems)
        head = f"invalid configuration {', '.join(files)} ({count} problem{'s' * (count > 1)}):"
        return "\n  ".join([head, *(str(p) for p in self.problems)])


class KeyProblems(ValueError):
    """Raised inside validators: problems at key paths relative to the validated value.

    Lets a check that spans several keys point at the exact key, e.g.
    ``KeyProblems([(("symmetry_functions", 3), "cutoff 7.0 exceeds cutoff 6.0")])``.
    """

    def __init__(self, problems: Sequence[tuple[KeyPath, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


def format_key(path: KeyPath) -> str:
    """("data", "train", 0, "files") -> "data.train[0].files"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
