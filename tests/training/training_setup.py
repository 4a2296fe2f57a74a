"""Shared setup of the training tests: a small Al-Ni model, its prepared frames and settings,
and a training run killed during an epoch."""

from __future__ import annotations

import pytest
import torch
from emt_alni import SF_LINES

from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.loss import LossCoefficients
from mlpot.training.trainer import Schedule, Trainer, TrainSettings


def make_model(seed: int = 0) -> NeuralNetworkPotential:
    sfset = SymmetryFunctionSet.from_n2p2_lines(SF_LINES, ["Al", "Ni"], CutoffFunction("cos"))
    torch.manual_seed(seed)
    spec = NetworkSpec((8, 8), "tanh")
    return NeuralNetworkPotential(sfset, {"Al": spec, "Ni": spec})


DEFAULT_LOSS = LossCoefficients(1.0, 1.0, 0.1)


def setup(frames, epochs=6, loss=DEFAULT_LOSS, **kw):
    model = make_model()
    acsf = ACSF(model.sfset)
    train = prepare_frames(frames[:20], acsf, torch.float64, ["bulk"], progress=False)
    val = prepare_frames(frames[20:], acsf, torch.float64, ["bulk"], progress=False)
    fit_preprocessing(model, frames[:20], train, "minmax", pca=False)
    settings = TrainSettings(
        epochs=epochs, batch_size=4, lr=5e-3, schedule=Schedule("exponential", gamma=0.95),
        loss=loss, early_stopping_patience=None, progress=False, **kw
    )
    return model, train, val, settings


class Interrupt(Exception):
    pass


def run_killed_in_epoch(trainer: Trainer, epoch: int, monkeypatch) -> None:
    """Run `trainer` until it is killed during its `epoch`-th epoch (the ones before are
    checkpointed)."""
    original_epoch = Trainer._epoch
    calls = {"n": 0}

    def dying_epoch(self):
        calls["n"] += 1
        if calls["n"] == epoch:
            raise Interrupt
        return original_epoch(self)

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_epoch", dying_epoch)
        with pytest.raises(Interrupt):
            trainer.run()
