"""Training checkpoints: everything needed to continue a run exactly where it stopped."""

from __future__ import annotations

from pathlib import Path

import torch

from mlpot.errors import MlpotError
from mlpot.models.file_check import check_model_file
from mlpot.models.serialization import atomic_torch_save, model_from_dict, model_to_dict

CHECKPOINT_FORMAT = "mlpot-checkpoint"


def save_checkpoint(path: Path, model, optimizer, scheduler, state: dict, average=None) -> None:
    """Atomically write model, optimiser, schedule, loop state (epoch, best, log rows) and the
    moving average of the weights (a model, or None)."""
    atomic_torch_save(
        {
            "format": CHECKPOINT_FORMAT,
            "model": model_to_dict(model),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "state": state,
            "average": model_to_dict(average) if average is not None else None,
        },
        path,
    )


def load_checkpoint(path: Path) -> dict:
    if not path.is_file():
        raise MlpotError(f"cannot resume: no checkpoint at {path}")
    check_model_file(path)
    data = torch.load(path, map_location="cpu", weights_only=True)
    if data.get("format") != CHECKPOINT_FORMAT:
        raise MlpotError(f"{path} is not an mlpot training checkpoint")
    data["model"] = model_from_dict(data["model"], str(path))
    if data.get("average") is not None:
        data["average"] = model_from_dict(data["average"], str(path))
    return data
