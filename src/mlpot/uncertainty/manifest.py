"""ensemble.json: what an ensemble run planned and which member models are finished.

    {"format": "mlpot-ensemble", "format_version": 1, "kind": "seeds" | "atomic_energy",
     "members": K, "seeds": [...], "models": ["member_0/model.pt", ...],
     "atomic_energy_model": "member_0/model.pt" | null}

Model paths are relative to the directory of ensemble.json; "models" lists finished members
only, in member order. The file is rewritten atomically after each member.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlpot.errors import MlpotError
from mlpot.files import write_text_atomically

FORMAT = "mlpot-ensemble"
FORMAT_VERSION = 1
MANIFEST_NAME = "ensemble.json"


def write_manifest(path: Path, manifest: dict) -> None:
    """Write `manifest` to path via a temporary file and a rename (never half-written)."""
    record = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest}
    write_text_atomically(path, json.dumps(record, indent=2) + "\n")


def read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise MlpotError(f"{path}: no such ensemble file")
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise MlpotError(f"{path}: not a readable ensemble file ({err})") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MlpotError(f"{path}: not an mlpot ensemble file (written by mlpot ensemble)")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise MlpotError(f"{path}: ensemble format is newer than this mlpot; upgrade mlpot")
    models = data.get("models")
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise MlpotError(f"{path}: 'models' must be a list of model file names")
    return data


def manifest_models(path: Path) -> list[Path]:
    """The finished member models an ensemble.json lists, as paths beside it."""
    models = read_manifest(path)["models"]
    if not models:
        raise MlpotError(
            f"{path}: no finished member models yet; continue training with mlpot ensemble "
            "CONFIG --resume"
        )
    return [path.parent / name for name in models]
