"""Active learning: explore with an ensemble, select uncertain structures, label them with an
oracle (any ASE calculator), retrain, and repeat until nothing new is found.

`run_active(load_active_config("config.yaml"))` runs the loop; `mlpot active` is its command.
Names are imported on first use, so that the labelling workers stay free of torch.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ActiveConfig": "mlpot.active.config",
    "load_active_config": "mlpot.active.config",
    "run_active": "mlpot.active.loop",
    "farthest_point_sampling": "mlpot.selection",
    "select": "mlpot.active.select",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mlpot.active' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
