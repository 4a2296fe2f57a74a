"""Shared setup of the training tests: a small Al-Ni model, its prepared frames and settings,
and a training run killed during an epoch."""

from __future__ import annotations

import pytest
import torch
from emt_alni import SF_LINES

from mlpot.config import ExponentialSchedule, LossWeights, OptimizerConfig, TrainingConfig
from mlpot.config.schema import FinalLossWeights
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.trainer import Trainer


def make_model(seed: int = 0) -> NeuralNetworkPotential:
    sfset = SymmetryFunctionSet.from_n2p2_lines(SF_LINES, ["Al", "Ni"], CutoffFunction("cos"))
    torch.manual_seed(seed)
    spec = NetworkSpec((8, 8), "tanh")
    return NeuralNetworkPotential(sfset, {"Al": spec, "Ni": spec})


def loss(energy: float, forces: float, stress: float = 0.0, **more) -> LossWeights:
    """Loss coefficients in the order energy, forces, stress."""
    return LossWeights(energy=energy, forces=forces, stress=stress, **more)


def staged(first: LossWeights, final: LossWeights, start: float,
           reset_optimizer: bool = False) -> LossWeights:
    """`first` with a final stage of `final`'s energy, force and stress coefficients."""
    stage = FinalLossWeights(start=start, energy=final.energy, forces=final.forces,
                             stress=final.stress, reset_optimizer=reset_optimizer)
    return first.model_copy(update={"final": stage})


DEFAULT_LOSS = loss(1.0, 1.0, 0.1)


def training_settings(epochs=6, loss=DEFAULT_LOSS, lr=5e-3, **changes) -> TrainingConfig:
    """The tests' settings: batches of 4, an exponential schedule, no moving average and no
    early stopping unless `changes` (TrainingConfig fields) say otherwise."""
    changes = {"ema_decay": None, **changes}
    return TrainingConfig(
        epochs=epochs, batch_size=4, optimizer=OptimizerConfig(lr=lr),
        schedule=ExponentialSchedule(name="exponential", gamma=0.95), loss=loss, **changes,
    )


def setup(frames, epochs=6, loss=DEFAULT_LOSS, **changes):
    model = make_model()
    train = prepare_frames(frames[:20], model, torch.float64, ["bulk"], progress=False)
    val = prepare_frames(frames[20:], model, torch.float64, ["bulk"], progress=False)
    fit_preprocessing(model, frames[:20], train, "minmax", pca=False)
    return model, train, val, training_settings(epochs, loss, **changes)


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
