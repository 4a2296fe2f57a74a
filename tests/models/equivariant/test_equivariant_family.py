"""Family "equivariant" through the seam: the shipped physics suite, and training from a
config with `model: {family: equivariant}`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import yaml
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

from mlpot.cli.main import main
from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings
from mlpot.models.serialization import load_model
from mlpot.testing.suite import PotentialPhysicsTests

SMALL = EquivariantSettings(channels=6, l_max=2, correlation=2, interactions=2,
                            radial_basis=4, radial_hidden=(8,), average_neighbours=10.0)


class TestEquivariantFamilyPhysics(PotentialPhysicsTests):
    atol = 1e-9

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        with torch.random.fork_rng():
            torch.manual_seed(2)
            model = EquivariantPotential(("Al", "Ni"), 4.6, SMALL)
        model.reference_energies.copy_(torch.tensor([-3.1, -5.4]))
        model.energy_scale.fill_(0.5)
        return model


def test_trains_from_a_config(tmp_path):
    structures = []
    for k in range(6):
        atoms = bulk("Al", "fcc", a=3.95 + 0.03 * k, cubic=True)
        atoms.numbers[: 1 + k % 2] = 28
        atoms.rattle(0.05, seed=k)
        atoms.calc = EMT()
        atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
        structures.append(atoms)
    write(tmp_path / "train.xyz", structures, format="extxyz")
    config = {
        "output": str(tmp_path / "run"),
        "data": {"train": [{"name": "emt", "files": [str(tmp_path / "train.xyz")]}],
                 "validation": 0.0},
        "model": {"family": "equivariant", "cutoff": 4.0, "channels": 4, "l_max": 1,
                  "correlation": 2, "interactions": 2, "radial_hidden": [8],
                  "mlp_readouts": "all"},
        "training": {"epochs": 2, "batch_size": 3},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "config.yaml"), "--no-progress"]) == 0
    model = load_model(tmp_path / "run" / "model.pt")
    assert model.family == "equivariant" and model.settings.average_neighbours > 10
    assert all(isinstance(layer.readout, torch.nn.Sequential) for layer in model.layers)
    assert float(model.energy_scale[0]) > 0.01  # the training forces' RMS


def test_atom_features_are_invariant_and_drive_selection():
    from mlpot.active.select import feature_summaries
    from mlpot.testing.checks import random_rotation
    from mlpot.testing.structures import bulk as alni_bulk

    model = EquivariantPotential(("Al", "Ni"), 4.6, SMALL)
    atoms = alni_bulk(("Al", "Ni"))
    rotated = atoms.copy()
    q = random_rotation(np.random.default_rng(4))
    rotated.positions, rotated.cell = atoms.positions @ q.T, atoms.cell.array @ q.T
    permuted = atoms[[2, 0, 3, 1]]
    summaries = feature_summaries(model, [atoms, rotated, permuted])
    assert summaries.shape == (3, 3 * 2 * SMALL.channels)
    np.testing.assert_allclose(summaries[1], summaries[0], atol=1e-9)
    np.testing.assert_allclose(summaries[2], summaries[0], atol=1e-9)
    assert np.abs(summaries[0]).max() > 0


def test_selection_by_diversity_needs_atom_features():
    from pair_family_stub import featureless

    from mlpot.active.select import feature_summaries
    from mlpot.errors import MlpotError

    with pytest.raises(MlpotError, match="selection by diversity.*lacks 'atom features'"):
        feature_summaries(featureless(), [bulk("Al", "fcc", a=4.0)])


def test_moving_average_of_the_default_architecture():
    """The weights' average matches tensors by name (a deep copy of e3nn's compiled tensor
    products lists its buffers in another order)."""
    from mlpot.training.average import WeightAverage

    model = EquivariantPotential(("Li",), 5.0, EquivariantSettings())
    average = WeightAverage(model, decay=0.9)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)
    average.update(model)
    average.update(model)
    averaged = dict(average.module.named_parameters())
    for name, parameter in model.named_parameters():
        assert torch.equal(averaged[name], parameter), name


def test_the_family_brings_its_training_defaults_where_the_config_sets_none():
    """An equivariant model trains with its own learning rate unless the config gives one
    (or an optimiser without one); other families keep the training section's defaults."""
    from mlpot.config.schema import (
        EquivariantConfig,
        FinalLossWeights,
        OptimizerConfig,
        TrainConfig,
    )

    data = {"data": {"train": [{"name": "a", "files": ["a.xyz"]}]}}
    family_lr = EquivariantConfig.training_defaults["optimizer.lr"]
    assert family_lr != OptimizerConfig().lr

    def optimizer(model=None, training=None):
        config = {**data, **({"model": model} if model else {}),
                  **({"training": training} if training is not None else {})}
        return TrainConfig.model_validate(config).training.optimizer

    equivariant = {"family": "equivariant"}
    assert optimizer().lr == OptimizerConfig().lr
    assert optimizer(equivariant).lr == family_lr
    assert optimizer(equivariant, {"epochs": 3}).lr == family_lr
    assert optimizer(equivariant, {"optimizer": {"name": "adamw"}}).lr == family_lr
    assert optimizer(equivariant, {"optimizer": {"lr": 0.003}}).lr == 0.003
    assert optimizer(equivariant, {"optimizer": {"name": "kalman"}}).name == "kalman"

    def loss(training=None):
        config = {**data, "model": equivariant, **({"training": training} if training else {})}
        return TrainConfig.model_validate(config).training.loss

    family_forces = EquivariantConfig.training_defaults["loss.forces"]
    assert loss().forces == family_forces != TrainConfig.model_validate(data).training.loss.forces
    assert loss({"loss": {"energy": 2.0}}).forces == family_forces
    assert loss({"loss": {"energy": 2.0}}).energy == 2.0
    assert loss({"loss": {"forces": 0.05}}).forces == 0.05
    family_final = EquivariantConfig.training_defaults["loss.final"]
    assert loss().final.energy == family_final["energy"]
    assert loss().final.start == FinalLossWeights().start
    assert loss({"loss": {"final": None}}).final is None
    assert loss({"loss": {"final": {"energy": 3.0}}}).final.energy == 3.0
    assert TrainConfig.model_validate(data).training.loss.final is None
