"""The frames of a training config: training, validation and test groups, read and split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase.data import chemical_symbols

from mlpot.config import TrainConfig
from mlpot.data import Frame, load_group, load_structure_list, read_frames
from mlpot.data.errors import DataError
from mlpot.data.sanity import where
from mlpot.errors import MlpotError
from mlpot.models.fidelity import Fidelities
from mlpot.models.potential import MULTI_FIDELITY, Potential


def read_groups(groups, require_forces: bool, target_fidelity: str | None = None) -> list[Frame]:
    """The groups' frames, each with its group's fidelity (else `target_fidelity`)."""
    frames: list[Frame] = []
    for group in groups:
        entries = [spec.entry for spec in group.files]
        read = load_group(
            group.name, group.weight, entries, Path.cwd(), format=group.format,
            require_forces=require_forces,
        )
        for frame in read:
            frame.fidelity = group.fidelity or target_fidelity
        frames += read
    return frames


def read_test_groups(groups, require_forces: bool, target_fidelity: str | None = None):
    """Test frames keep the group labels their files carry (e.g. mlearn's), for per-group errors;
    unlabelled frames take their config group's name. They are of the target fidelity."""
    frames: list[Frame] = []
    for group in groups:
        for spec in group.files:
            read = read_frames(spec.entry, format=group.format, require_forces=require_forces)
            for frame in read:
                frame.group = group.name if frame.group == "default" else frame.group
                frame.fidelity = target_fidelity
            frames += read
    return frames


def read_training_data(config: TrainConfig) -> tuple[list[Frame], list[Frame]]:
    """(train, validation) frames: validation is a random fraction or separate groups."""
    data = config.data
    if isinstance(data.train, Path):
        frames = load_structure_list(data.train, require_forces=data.require_forces)
        for frame in frames:
            frame.fidelity = data.target_fidelity
    else:
        frames = read_groups(data.train, data.require_forces, data.target_fidelity)
    rng = np.random.default_rng(config.training.seed)
    if not isinstance(data.validation, float):
        train, val = frames, read_groups(data.validation, data.require_forces,
                                         data.target_fidelity)
    else:
        order = rng.permutation(len(frames))
        n_val = int(round(data.validation * len(frames)))
        if n_val >= len(frames):
            raise MlpotError(f"validation fraction {data.validation} leaves no training frames")
        held = set(order[:n_val].tolist())
        train = [f for n, f in enumerate(frames) if n not in held]
        val = [f for n, f in enumerate(frames) if n in held]
    if data.bootstrap:
        train = [train[n] for n in np.sort(rng.integers(len(train), size=len(train)))]
    balance_kinds(train + val, config.training.group_balance)
    return train, val


def balance_kinds(frames: list[Frame], power: float) -> None:
    """Weights of the frames times n_kind^-power, scaled so that their mean factor is 1
    (kind: Frame.info["kind"], else the group). A frame listed twice (a bootstrap draw)
    counts twice and is scaled once."""
    if power == 0 or not frames:
        return
    names, counts = np.unique([_kind(f) for f in frames], return_counts=True)
    factors = counts**-power * len(frames) / np.sum(counts ** (1.0 - power))
    factor_of = dict(zip(names.tolist(), factors.tolist(), strict=True))
    for frame in {id(f): f for f in frames}.values():
        frame.weight *= factor_of[_kind(frame)]


def _kind(frame: Frame) -> str:
    return frame.info.get("kind", frame.group)


def data_fidelities(config: TrainConfig) -> Fidelities | None:
    """The fidelities the config's training groups name (None: one fidelity)."""
    names = config.data.fidelity_names()
    return Fidelities(names, config.data.target_fidelity) if len(names) > 1 else None


def check_fidelities(model: Potential, fidelities: Fidelities | None) -> None:
    """Raise MlpotError unless `model` learns exactly the data's fidelities."""
    if fidelities is not None:
        model.require(
            MULTI_FIDELITY, "training on several fidelities (the groups' 'fidelity')",
            "choose a family that has it (nnp, equivariant, gap) or train on one fidelity",
        )
    if model.fidelities != fidelities:
        learnt = model.fidelities.names if model.fidelities else "one fidelity"
        data = fidelities.names if fidelities else "one fidelity"
        raise MlpotError(
            f"{model.description} learns {learnt}, but the training data has {data} (with "
            f"target {fidelities.target if fidelities else None}); give the groups the model's "
            "fidelities or train a new model"
            + ("; to fine-tune a single-fidelity model on several fidelities, name the one it "
               "learnt (mlpot train --init-fidelity)" if model.fidelities is None else "")
        )


def data_elements(frames: list[Frame]) -> list[str]:
    numbers = sorted({int(z) for f in frames for z in np.unique(f.numbers)})
    return [chemical_symbols[z] for z in numbers]


def check_elements(model: Potential, frames: list[Frame]) -> None:
    for frame in frames:
        extra = set(data_elements([frame])) - set(model.elements)
        if extra:
            raise DataError(
                f"{where(frame.source)}: element(s) {', '.join(sorted(extra))} not in the model's "
                f"elements ({', '.join(model.elements)}); add them to 'elements' in the config"
            )
