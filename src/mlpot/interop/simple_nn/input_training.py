"""The `training` section of an mlpot configuration from SIMPLE-NN's neural_network settings.

Units: SIMPLE-NN's stress errors are in kbar and mlpot's in GPa (1 GPa = 10 kbar), so the
squared-error coefficient grows by KBAR_PER_GPA^2 = 100. Energy (eV/atom) and force (eV/Å)
terms have the same units and normalisation (mean over structures, mean over components).
"""

from __future__ import annotations

import math
from typing import Any

from mlpot.interop.simple_nn.input_keys import InputKeys

NN = "neural_network"
KBAR_PER_GPA = 10.0
OPTIMIZERS = {"Adam": "adam", "AdamW": "adamw"}
# the loss types that are mlpot's: energy per atom, plain mean squared force error
PER_ATOM_ENERGY = {1: ((NN, "E_loss"), 0), 2: ((NN, "E_loss_type"), 1)}
PLAIN_FORCES = {1: ((NN, "F_loss"), 1), 2: ((NN, "F_loss_type"), 1)}


def training_section(keys: InputKeys, version: int, n_train: int | None) -> dict:
    """The mlpot `training` mapping; SIMPLE-NN `version` 1 or 2 decides the defaults."""
    batch_size = _batch_size(keys, version, n_train)
    lr, schedule = _learning_rate(keys, version, batch_size, n_train)
    epochs = _epochs(keys, version, batch_size, n_train)
    section: dict[str, Any] = {} if epochs is None else {"epochs": epochs}
    section |= {
        "batch_size": batch_size,
        "optimizer": {
            "name": _optimizer(keys, version),
            "lr": lr,
            "weight_decay": _weight_decay(keys, version),
        },
        "schedule": schedule,
        "loss": _loss(keys, version),
        "early_stopping": None,
        "dtype": "float64" if keys.get((NN, "double_precision"), default=True) else "float32",
    }
    gdf = _gdf(keys, version)
    if gdf is not None:
        section["gdf"] = gdf
    return section


def iterations_per_epoch(batch_size: int, n_train: int) -> int:
    return math.ceil(n_train / batch_size)


def _batch_size(keys: InputKeys, version: int, n_train: int | None) -> int:
    size = int(keys.get((NN, "batch_size"), default=64 if version == 1 else 8))
    if keys.get((NN, "full_batch"), default=False):
        if n_train is None:
            keys.note(
                (NN, "full_batch"),
                f"needs the number of training structures; batch_size {size} is used",
            )
        else:
            size = n_train
    return size


def _epochs(keys: InputKeys, version: int, batch_size: int, n_train: int | None) -> int | None:
    if version == 2 or keys.get((NN, "total_epoch")) is not None:
        return int(keys.get((NN, "total_epoch"), default=1000))
    iterations = int(keys.get((NN, "total_iteration"), default=10000))
    if n_train is None:
        keys.note(
            (NN, "total_iteration"),
            "counts batches; give the number of training "
            "structures to convert it to epochs (mlpot's default epochs are used)",
        )
        return None
    return max(1, round(iterations / iterations_per_epoch(batch_size, n_train)))


def _learning_rate(keys: InputKeys, version: int, batch_size: int, n_train: int | None):
    """(initial rate, schedule): SIMPLE-NN 2 decays per epoch, 1 per iteration."""
    value = keys.get((NN, "learning_rate"), default=1e-4)
    decay = keys.get((NN, "decay_rate"))
    if not isinstance(value, dict):
        if decay:
            return float(value), {"name": "exponential", "gamma": float(decay)}
        return float(value), {"name": "none"}
    lr, rate, steps = (
        value.get("learning_rate", 1e-4),
        value.get("decay_rate"),
        value.get("decay_steps"),
    )
    if rate is None or steps is None:
        return float(lr), {"name": "none"}
    if n_train is None:
        keys.note(
            (NN, "learning_rate"),
            "decays per iteration; give the number of training "
            "structures to convert the decay to epochs (kept constant)",
        )
        return float(lr), {"name": "none"}
    if value.get("staircase"):
        keys.note((NN, "learning_rate"), "decays in steps; mlpot decays smoothly per epoch")
    gamma = float(rate) ** (iterations_per_epoch(batch_size, n_train) / float(steps))
    return float(lr), {"name": "exponential", "gamma": gamma}


def _optimizer(keys: InputKeys, version: int) -> str:
    if version == 2:
        settings = keys.get((NN, "optimizer"), default={}) or {}
        method, params = settings.get("method", "Adam"), settings.get("params")
    else:
        method, params = keys.get((NN, "method"), default="Adam"), keys.get((NN, "optimizer"))
    if params:
        keys.note((NN, "optimizer"), "parameters other than the learning rate are ignored")
    if method not in OPTIMIZERS:
        keys.note((NN, "optimizer"), f"method '{method}' has no mlpot equivalent; adam is used")
    return OPTIMIZERS.get(method, "adam")


def _weight_decay(keys: InputKeys, version: int) -> float:
    location = keys.where((NN, "l2_regularization"), (NN, "regularization"))
    value = keys.get(location, default=1e-6 if version == 2 else None)
    if not isinstance(value, dict):
        return float(value or 0.0)
    kind, params = value.get("type"), value.get("params") or {}
    if kind is None:
        return 0.0
    if kind != "l2":
        keys.note(location, f"type '{kind}' has no mlpot equivalent; none is used")
        return 0.0
    return 2.0 * float(params.get("coeff", 1e-6))  # d(c |w|^2)/dw = 2 c w: Adam's weight_decay


def _loss(keys: InputKeys, version: int) -> dict:
    energy_type, energy_default = PER_ATOM_ENERGY[version]
    if keys.get(energy_type, default=energy_default) != energy_default:
        keys.note(energy_type, "is not the per-atom energy error; mlpot fits energy per atom")
    force_type, force_default = PLAIN_FORCES[version]
    if keys.get(force_type, default=force_default) != force_default:
        keys.note(force_type, "weights force errors; mlpot fits the plain mean squared error")
    use_force = keys.get((NN, "use_force"), default=True)
    use_stress = keys.get((NN, "use_stress"), default=version == 2)
    stress = float(keys.get((NN, "stress_coeff"), default=1e-6)) * KBAR_PER_GPA**2
    return {
        "energy": float(keys.get((NN, "energy_coeff"), default=1.0)),
        "forces": float(keys.get((NN, "force_coeff"), default=0.1)) if use_force else 0.0,
        "stress": stress if use_stress else 0.0,
    }


def _gdf(keys: InputKeys, version: int) -> dict | None:
    """training.gdf for SIMPLE-NN's GDF force weights, None where they are off."""
    from mlpot.config import TrainingConfig

    if version == 2:
        location = ("preprocessing", "calc_atomic_weights")
        settings = keys.get(location, default=False)
        use = keys.get((NN, "use_atomic_weights"), default=False)
    else:
        location = ("symmetry_function", "atomic_weights")
        settings = keys.get(location, default=None)
        use = bool(settings)
    kind = settings.get("type") if isinstance(settings, dict) else None
    if not use or kind is None:
        return None
    if kind != "gdf" or "gdf" not in TrainingConfig.model_fields:
        keys.note(location, f"type '{kind}' is not available in mlpot; forces are unweighted")
        return None
    params = settings.get("params")
    if params and params != "Auto":
        keys.note(
            location,
            "params: SIMPLE-NN's sigma is not carried over; set "
            "training.gdf.sigma (in [0, 1]-scaled descriptors) by hand",
        )
    return {}
