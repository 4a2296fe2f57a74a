"""Distillation: turn a slow teacher (a universal pretrained model, any ASE calculator) into a
fast mlpot potential for the user's system.

`run_distill(load_distill_config("config.yaml"))` runs it; `mlpot distill` is its command.
Names are imported on first use, so that the labelling workers stay free of torch.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "DistillConfig": "mlpot.distill.config",
    "load_distill_config": "mlpot.distill.config",
    "run_distill": "mlpot.distill.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mlpot.distill' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
