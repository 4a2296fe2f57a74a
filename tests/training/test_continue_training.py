"""Continued training (`mlpot train --init-model`, the active-learning retrain): the model keeps
its preprocessing and widens its training range to the new data."""

from __future__ import annotations

import numpy as np
import torch
from ase.io import write
from conftest import SF_LINES, emt_frames

from mlpot.config import TrainConfig
from mlpot.models.serialization import load_model
from mlpot.training.from_config import train_from_config


def _atoms(frames):
    return [frame.to_atoms() for frame in frames]


def _config(tmp_path, data, output) -> TrainConfig:
    return TrainConfig.model_validate({
        "output": str(tmp_path / output),
        "elements": ["Al", "Ni"],
        "data": {"train": [{"name": "bulk", "files": [str(data)]}], "validation": 0.0},
        "descriptors": {"symmetry_functions": SF_LINES},
        "model": {"hidden": [4]},
        "training": {"epochs": 2, "batch_size": 4, "loss": {"stress": 0.0}},
    })


def test_continued_model_widens_ranges_and_keeps_scalers(tmp_path):
    first, second = tmp_path / "first.xyz", tmp_path / "second.xyz"
    narrow = emt_frames(6, seed=1)
    write(first, _atoms(narrow), format="extxyz")
    wide = emt_frames(6, seed=2)
    for frame in wide:  # compressed cells: descriptors beyond the first set's range
        frame.positions *= 0.9
        frame.cell *= 0.9
    write(second, _atoms(wide), format="extxyz")

    train_from_config(_config(tmp_path, first, "a"), progress=False)
    before = load_model(tmp_path / "a" / "model.pt")
    train_from_config(
        _config(tmp_path, second, "b"), initial_model=tmp_path / "a" / "model.pt", progress=False
    )
    after = load_model(tmp_path / "b" / "model.pt")
    for element in ("Al", "Ni"):
        old, new = before.descriptor_ranges[element], after.descriptor_ranges[element]
        assert torch.all(new.low <= old.low) and torch.all(new.high >= old.high)
        assert torch.any(new.high > old.high)  # the compressed cells reach further
        for name in ("shift", "scale", "pca_rotation", "pca_mean"):
            a = getattr(before.scalers[element], name)
            b = getattr(after.scalers[element], name)
            assert torch.equal(a, b), name
    assert np.allclose(before.reference_energies, after.reference_energies)
