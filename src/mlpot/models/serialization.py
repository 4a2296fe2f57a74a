"""Model files: self-describing, versioned, written atomically.

A model file is a torch archive of plain data (loadable with weights_only=True):
    format, format_version, mlpot_version, units, family (mlpot.models.families), spec (the
    family's own: for "nnp" descriptors, networks, dtype), state (tensors), metadata
    (free-form: training data, errors, ...).
Version 1 files (before families: "kind": "nnp", SNAP models told apart by their
descriptors) are upgraded on load.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

import mlpot
from mlpot.errors import MlpotError
from mlpot.files import atomic_path
from mlpot.models.families import model_from_spec
from mlpot.models.file_check import check_model_file
from mlpot.models.potential import Potential

FORMAT = "mlpot-model"
FORMAT_VERSION = 2
UNITS = {"length": "angstrom", "energy": "eV", "force": "eV/angstrom", "stress": "eV/angstrom^3"}


def _families_from_kind(data: dict) -> dict:
    """Version 1 -> 2: "kind" becomes "family"; networks on SNAP descriptors are "snap"."""
    data = dict(data)
    kind = data.pop("kind", "nnp")
    descriptors = data.get("spec", {}).get("descriptors", {})
    data["family"] = "snap" if kind == "nnp" and descriptors.get("kind") == "snap" else kind
    data["format_version"] = 2
    return data


# format_version -> function upgrading a file dict of that version to the next one
UPGRADES = {1: _families_from_kind}


def model_to_dict(model: Potential, metadata: dict | None = None) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlpot_version": mlpot.__version__,
        "units": dict(UNITS),
        "family": model.family,
        "spec": model.spec(),
        "state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "metadata": metadata or {},
    }


def save_model(model: Potential, path: str | Path, metadata: dict | None = None):
    atomic_torch_save(model_to_dict(model, metadata), path)


def atomic_torch_save(obj: dict, path: str | Path) -> None:
    """torch.save to a temporary file beside `path`, then rename: never a half-written file."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        torch.save(obj, handle)
        handle.flush()
        os.fsync(handle.fileno())


def model_from_dict(data: dict, source: str = "<memory>") -> Potential:
    if not isinstance(data, dict):
        raise MlpotError(f"{source}: not an mlpot model file (it holds a {type(data).__name__})")
    if data.get("format") != FORMAT:
        raise MlpotError(f"{source}: not an mlpot model file (format {data.get('format')!r})")
    version = data.get("format_version", 0)
    if version > FORMAT_VERSION:
        raise MlpotError(
            f"{source}: model format version {version} is newer than this mlpot understands "
            f"({FORMAT_VERSION}); upgrade mlpot"
        )
    try:
        while version < FORMAT_VERSION:
            data = UPGRADES[version](data)
            version = data["format_version"]
        model = model_from_spec(data["family"], data["spec"])
        model.load_state_dict(data["state"])
    except MlpotError as err:
        raise MlpotError(f"{source}: {err}") from None
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise MlpotError(f"{source}: damaged mlpot model file ({err!r})") from err
    model.metadata = data.get("metadata", {})
    return model


def load_model(path: str | Path) -> Potential:
    path = Path(path)
    if not path.is_file():
        raise MlpotError(f"model file {path} does not exist")
    check_model_file(path)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several unrelated types for corrupt files
        raise MlpotError(f"{path}: cannot read model file ({err}); is it an mlpot model?") from err
    return model_from_dict(data, str(path))
