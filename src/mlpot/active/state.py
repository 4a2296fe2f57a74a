"""The loop's state on disk: state.json and per-iteration directories, all written atomically.

state.json records, per iteration, the phase reached ("explore" -> "label" -> "train" ->
"evaluate" -> "done") with its counts and errors; labels (see label.py) and the finished
ensemble members (ensemble.json) are on disk too, so a killed run resumes where it stopped
without relabelling or retraining anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ase import Atoms

from mlpot.analysis.output import write_json
from mlpot.errors import MlpotError
from mlpot.files import atomic_path

STATE_FORMAT = "mlpot-active-state"
STATE_VERSION = 1
PHASES = ("explore", "label", "train", "evaluate", "done")


@dataclass
class IterationState:
    """One explore-select-label-retrain round; counts and errors become the report's row."""

    index: int
    phase: str = "explore"
    counts: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


@dataclass
class LoopState:
    iterations: list[IterationState] = field(default_factory=list)
    stop_reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.stop_reason is not None

    def current(self) -> IterationState:
        """The last iteration, a new one when there is none or the last is done."""
        if not self.iterations or self.iterations[-1].phase == "done":
            self.iterations.append(IterationState(len(self.iterations)))
        return self.iterations[-1]


class RunDirectory:
    """Paths of an active-learning run below `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    def iteration(self, index: int) -> Path:
        return self.root / f"iteration_{index:03d}"

    def ensemble(self, index: int) -> Path:
        return self.iteration(index) / "ensemble"

    def member_models(self, index: int) -> list[Path]:
        """The finished member models of iteration index's ensemble (its ensemble.json)."""
        from mlpot.uncertainty.manifest import MANIFEST_NAME, manifest_models

        return manifest_models(self.ensemble(index) / MANIFEST_NAME)


def save_state(path: Path, state: LoopState) -> None:
    data = {"format": STATE_FORMAT, "version": STATE_VERSION, **asdict(state)}
    write_json(path, data)


def load_state(path: Path) -> LoopState:
    """The state in `path`; MlpotError naming the file when it is not a state file."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise MlpotError(f"{path}: no state to resume; run without --resume to start") from None
    except (OSError, ValueError) as exc:
        raise MlpotError(f"{path}: cannot read the loop state ({exc}); start afresh") from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise MlpotError(f"{path}: not an mlpot active-learning state file")
    if data.get("version", 0) > STATE_VERSION:
        raise MlpotError(f"{path}: state version {data['version']} is newer; upgrade mlpot")
    iterations = [IterationState(**item) for item in data.get("iterations", [])]
    for item in iterations:
        if item.phase not in PHASES:
            raise MlpotError(f"{path}: iteration {item.index} has unknown phase {item.phase!r}")
    return LoopState(iterations, data.get("stop_reason"))


def write_structures(path: Path, images: Sequence[Atoms]) -> Path:
    """Write images (with their calculator results, if any) as extended XYZ, atomically."""
    from ase.io import write

    with atomic_path(path) as tmp:
        write(tmp, list(images), format="extxyz")
    return Path(path)


def read_structures(path: Path) -> list[Atoms]:
    """The images of an extended XYZ file this package wrote ([] for an empty file)."""
    from ase.io import read

    if Path(path).stat().st_size == 0:
        return []
    try:
        return list(read(path, index=":", format="extxyz"))
    except Exception as exc:  # ASE raises many types for a damaged file
        raise MlpotError(f"{path}: cannot read ({exc}); delete it to redo that step") from exc
