"""Per-atom energy targets: labelling frames, the loss term, and training towards targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from physics_helpers import make_model
from uncertainty_helpers import emt_frames, fit_ranges

from mlpot.calculators import MlpotCalculator
from mlpot.config import ConstantSchedule, LossWeights, OptimizerConfig, TrainingConfig
from mlpot.errors import MlpotError
from mlpot.models.predict import predict
from mlpot.training.dataset import collate, prepare_frames
from mlpot.training.loss import batch_loss
from mlpot.training.trainer import Trainer
from mlpot.uncertainty.atomic_energy_targets import label_atomic_energies

FRAMES = emt_frames(16)


def prepared(model, frames):
    return prepare_frames(frames, model, model.dtype, ["default"], progress=False)


def atomic_energy_rmse(model, frames) -> float:
    """RMSE (eV) of the model's atomic energies against the frames' targets."""
    errors = []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = MlpotCalculator(model)
        errors.append(atoms.get_potential_energies() - frame.atomic_energies)
    return float(np.sqrt(np.mean(np.concatenate(errors) ** 2)))


def test_loss_term_is_the_weighted_mean_squared_atomic_error():
    model = fit_ranges(make_model(), FRAMES[:4])
    batch = collate(prepared(model, FRAMES[:4]))
    with torch.no_grad():
        pred = predict(model, batch.inputs, set())
    expected = float(((pred.atomic_energies - batch.atomic_energies) ** 2).mean())
    only_atomic = LossWeights(energy=0.0, forces=0.0, atomic_energy=2.0, stress=0.0)
    assert float(batch_loss(pred, batch, only_atomic)) == pytest.approx(2 * expected)
    without = LossWeights(energy=1.0, forces=0.0, stress=0.0)
    with_term = LossWeights(energy=1.0, forces=0.0, atomic_energy=1.0, stress=0.0)
    assert float(batch_loss(pred, batch, with_term) - batch_loss(pred, batch, without)) == (
        pytest.approx(expected)
    )


def test_frames_without_targets_add_nothing():
    model = fit_ranges(make_model(), FRAMES[:4])
    frames = emt_frames(2, seed=5)
    for frame in frames:
        frame.atomic_energies = None
    batch = collate(prepared(model, frames))
    assert not batch.atomic_energy_mask.any()
    with torch.no_grad():
        pred = predict(model, batch.inputs, set())
    coefficients = LossWeights(energy=1.0, forces=0.0, atomic_energy=5.0, stress=0.0)
    plain = LossWeights(energy=1.0, forces=0.0, stress=0.0)
    assert float(batch_loss(pred, batch, coefficients)) == float(batch_loss(pred, batch, plain))


def teacher_frames(n: int) -> list:
    """Frames labelled by a fixed model (energy, forces, atomic energies): targets that a
    network of the same form can fit exactly, as in the atomic-energy ensemble."""
    frames = emt_frames(n, seed=11)
    teacher = fit_ranges(make_model(seed=7), frames)
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = MlpotCalculator(teacher)
        frame.energy, frame.forces = atoms.get_potential_energy(), atoms.get_forces()
        frame.atomic_energies, frame.stress = atoms.get_potential_energies(), None
    return frames


def train(frames, atomic_energy: float, tmp_path):
    """A model trained 20 epochs on frames[:8] (validation frames[8:]); returns it and its log."""
    model = fit_ranges(make_model(seed=1), frames[:8])
    loss = LossWeights(energy=1.0, forces=0.1, atomic_energy=atomic_energy, stress=0.0)
    settings = TrainingConfig(
        epochs=20,
        batch_size=4,
        optimizer=OptimizerConfig(lr=1e-2),
        schedule=ConstantSchedule(name="none"),
        loss=loss,
        ema_decay=None,
    )
    trainer = Trainer(
        model,
        prepared(model, frames[:8]),
        prepared(model, frames[8:]),
        settings,
        tmp_path / f"run-{atomic_energy}",
    )
    return model, trainer.run()


def test_training_brings_atomic_energies_to_their_targets(tmp_path):
    frames = teacher_frames(10)
    before = atomic_energy_rmse(fit_ranges(make_model(seed=1), frames[:8]), frames)
    model, rows = train(frames, 1.0, tmp_path)
    assert rows[-1]["train_loss"] < 0.1 * rows[0]["train_loss"]
    assert atomic_energy_rmse(model, frames[:8]) < 0.2 * before
    assert atomic_energy_rmse(model, frames[8:]) < 0.3 * before  # also on unseen frames
    # total energies and forces alone leave the split among atoms where it was
    energy_only, _ = train(frames, 0.0, tmp_path)
    assert atomic_energy_rmse(energy_only, frames[:8]) > 0.5 * before


def test_labelling_uses_the_models_atomic_energies():
    model = make_model()
    frames = emt_frames(2, seed=3)
    label_atomic_energies(frames, model)
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = MlpotCalculator(model)
        assert frame.atomic_energies == pytest.approx(atoms.get_potential_energies(), abs=1e-12)
        assert frame.atomic_energies.sum() != pytest.approx(frame.energy, abs=1.0)  # not EMT's


def test_wrong_number_of_targets_names_the_frame():
    model = make_model()
    frame = emt_frames(1, seed=4)[0]
    frame.atomic_energies = np.zeros(3)
    with pytest.raises(
        MlpotError, match="'emt', frame 0: atomic energy targets must be 8 finite values"
    ):
        prepared(model, [frame])
    frame.atomic_energies = np.full(8, np.nan)
    with pytest.raises(MlpotError, match="'emt', frame 0"):
        prepared(model, [frame])


def test_targets_travel_with_the_frame_to_ase():
    frame = FRAMES[0]
    atoms = frame.to_atoms()
    assert atoms.get_potential_energies() == pytest.approx(frame.atomic_energies)
    assert torch.is_tensor(collate(prepared(make_model(), [frame])).atomic_energies)
