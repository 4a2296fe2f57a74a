"""Continued training (`mlpot train --init-model`, the active-learning retrain): preprocessing
refitted to the new data with the model's function kept, the training range widened."""

from __future__ import annotations

import copy

import pytest
import torch
from ase.io import write
from emt_alni import SF_LINES, emt_frames

from mlpot.config import TrainConfig
from mlpot.models.nnp import DESCRIPTORS
from mlpot.models.predict import predict
from mlpot.models.serialization import load_model
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.refit_preprocessing import function_kept
from mlpot.training.run import build_model, train_from_config


def _compressed(frames, factor=0.9):
    """Cells compressed by `factor`: descriptors beyond the range of the uncompressed set."""
    for frame in frames:
        frame.positions *= factor
        frame.cell *= factor
    return frames


def _config(tmp_path, data="unused.xyz", output="run", interaction=None) -> TrainConfig:
    return TrainConfig.model_validate({
        "output": str(tmp_path / output),
        "elements": ["Al", "Ni"],
        "data": {"train": [{"name": "bulk", "files": [str(data)]}], "validation": 0.0},
        "descriptors": {"symmetry_functions": SF_LINES},
        "model": {"hidden": [6, 5], "interaction": interaction},
        "training": {"epochs": 2, "batch_size": 4, "loss": {"stress": 0.0}},
    })


def _energies(model, prepared):
    return torch.cat([predict(model, p.inputs, set()).atomic_energies for p in prepared])


@pytest.mark.parametrize("interaction", [None, {"features": 4, "cutoff": 3.0}],
                         ids=["plain", "messages"])
@pytest.mark.parametrize("pca", [False, True])
def test_refit_keeps_every_atomic_energy(tmp_path, pca, interaction):
    narrow, wide = emt_frames(6, seed=1), _compressed(emt_frames(8, seed=2))
    model = build_model(_config(tmp_path, interaction=interaction), narrow)
    first = prepare_frames(narrow, model, torch.float64, ["bulk"], progress=False)
    second = prepare_frames(wide, model, torch.float64, ["bulk"], progress=False)
    fit_preprocessing(model, narrow, first, "minmax", pca)
    before = copy.deepcopy(model)
    with function_kept(model):
        fit_preprocessing(model, wide, second, "minmax", pca, pca_epsilon=1e-6)
    for prepared in (first, second):
        assert torch.allclose(_energies(model, prepared), _energies(before, prepared),
                              rtol=1e-9, atol=1e-9)
    assert not torch.allclose(model.energy_scale, before.energy_scale)
    for element in ("Al", "Ni"):
        old, new = before.descriptor_ranges[element], model.descriptor_ranges[element]
        assert torch.all(new.low <= old.low) and torch.all(new.high >= old.high)
        assert torch.any(new.high > old.high)  # the compressed cells reach further
    if not pca:  # the new training set is scaled into [0, 1] again
        for element, e in (("Al", 0), ("Ni", 1)):
            rows = torch.cat([p.features[DESCRIPTORS][p.species == e] for p in second])
            x = model.scalers[element](rows)
            assert x.min() > -1e-12 and x.max() < 1 + 1e-12
            assert before.scalers[element](rows).max() > 1.05


def test_continued_run_starts_from_the_loaded_model(tmp_path):
    first, second = tmp_path / "first.xyz", tmp_path / "second.xyz"
    write(first, [f.to_atoms() for f in emt_frames(6, seed=1)], format="extxyz")
    write(second, [f.to_atoms() for f in _compressed(emt_frames(6, seed=2))], format="extxyz")
    train_from_config(_config(tmp_path, first, "a"), progress=False)
    config = _config(tmp_path, second, "b")
    config.training.epochs = 1
    config.training.optimizer.lr = 1e-12  # one epoch that cannot move the weights
    train_from_config(config, initial_model=tmp_path / "a" / "model.pt", progress=False)
    before = load_model(tmp_path / "a" / "model.pt")
    after = load_model(tmp_path / "b" / "model.pt")
    frames = emt_frames(4, seed=3)
    prepared = prepare_frames(frames, before, torch.float64, ["bulk"], False)
    assert torch.allclose(_energies(after, prepared), _energies(before, prepared), atol=1e-8)
    assert not torch.equal(after.scalers["Al"].scale, before.scalers["Al"].scale)


def test_fine_tuning_takes_the_short_automatic_epoch_count(tmp_path):
    """`epochs: auto` under --init-model means AUTO_FINE_TUNE_STEPS optimiser steps, and a
    fine-tuning run resumed without --init-model keeps that count."""
    from mlpot.config.schema import AUTO_FINE_TUNE_STEPS, AUTO_STEPS, auto_epochs
    from mlpot.training.run import prepare

    first, second = tmp_path / "first.xyz", tmp_path / "second.xyz"
    write(first, [f.to_atoms() for f in emt_frames(6, seed=1)], format="extxyz")
    write(second, [f.to_atoms() for f in emt_frames(40, seed=2)], format="extxyz")
    train_from_config(_config(tmp_path, first, "a"), progress=False)
    initial = load_model(tmp_path / "a" / "model.pt")

    def auto(output):
        config = _config(tmp_path, second, output)
        config.training.epochs = "auto"
        return config

    fine = auto_epochs(40, 4, AUTO_FINE_TUNE_STEPS)
    assert fine < auto_epochs(40, 4, AUTO_STEPS)
    assert prepare(auto("b"), initial=initial, fine_tune=True, progress=False).settings.epochs \
        == fine
    assert prepare(auto("b"), initial=initial, progress=False).settings.epochs \
        == auto_epochs(40, 4, AUTO_STEPS)
    one_epoch = _config(tmp_path, second, "c")
    one_epoch.training.epochs = 1
    train_from_config(one_epoch, initial_model=tmp_path / "a" / "model.pt", progress=False)
    assert prepare(auto("c"), resume=True, progress=False).settings.epochs == fine
    train_from_config(_config(tmp_path, second, "d"), progress=False)  # not fine-tuned
    assert prepare(auto("d"), resume=True, progress=False).settings.epochs \
        == auto_epochs(40, 4, AUTO_STEPS)
