"""The seam's proof: a family defined only in the tests (pair_family.py) passes the physics
suite, trains from a config, resumes after an interruption exactly, forms an ensemble and runs
MD, through mlpot's own commands."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import yaml
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import read, write
from pair_family import PairPotential, register

from mlpot.cli.main import main
from mlpot.config import ConfigError, load_config
from mlpot.models.serialization import load_model
from mlpot.testing.suite import PotentialPhysicsTests
from mlpot.training.trainer import Trainer
from mlpot.uncertainty import load_ensemble_calculator
from mlpot.uncertainty.train_ensemble import train_ensemble

register()


class TestPairFamilyPhysics(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        with torch.random.fork_rng():
            torch.manual_seed(3)
            model = PairPotential(("Al", "Ni"), cutoff=4.6)
        model.reference_energies.copy_(torch.tensor([-3.1, -5.4]))
        return model


def _emt_structures(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    structures = []
    for k in range(n):
        atoms = bulk("Al", "fcc", a=3.9 + 0.05 * (k % 4), cubic=True)
        atoms.numbers[rng.choice(4, size=1 + k % 3, replace=False)] = 28
        atoms.rattle(0.08, seed=seed + k)
        atoms.calc = EMT()
        atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
        structures.append(atoms)
    return structures


@pytest.fixture
def pair_config(tmp_path):
    write(tmp_path / "train.xyz", _emt_structures(12), format="extxyz")
    write(tmp_path / "start.xyz", _emt_structures(1, seed=50)[0], format="extxyz")
    config = {
        "output": "run",
        "data": {"train": [{"name": "emt", "files": ["train.xyz"]}], "validation": 0.25},
        "model": {"family": "pair", "cutoff": 4.5, "hidden": 8},
        "training": {"epochs": 4, "batch_size": 3},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _state(path):
    return load_model(path).state_dict()


def test_trains_and_resumes_exactly(pair_config, monkeypatch):
    assert main(["train", str(pair_config), "--no-progress", "--no-plot"]) == 0
    run = pair_config.parent / "run"
    whole = _state(run / "model.pt")
    assert load_model(run / "model.pt").family == "pair"
    (run / "whole").mkdir()
    for name in ("model.pt", "log.csv"):
        (run / name).rename(run / "whole" / name)
    (run / "checkpoints" / "latest.pt").unlink()

    checkpoint = Trainer._checkpoint

    def checkpoint_then_die(self):
        checkpoint(self)
        if self.epoch == 2:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_checkpoint", checkpoint_then_die)
        assert main(["train", str(pair_config), "--no-progress", "--no-plot"]) == 130
    assert main(["train", str(pair_config), "--resume", "--no-progress", "--no-plot"]) == 0
    resumed = _state(run / "model.pt")
    for key, value in whole.items():
        assert torch.equal(resumed[key], value), key
    assert (run / "log.csv").read_text().count("\n") == 5


def test_ensemble_and_md(pair_config, tmp_path):
    config = load_config(pair_config)
    models = train_ensemble(config, 2, "seeds", tmp_path / "ensemble", progress=False)
    calc = load_ensemble_calculator(models)
    atoms = read(tmp_path / "start.xyz")
    atoms.calc = calc
    assert calc.get_property("max_force_deviation", atoms) > 0
    assert np.isfinite(atoms.get_forces()).all()
    log = tmp_path / "md.csv"
    code = main([
        "md", str(models[0]), str(tmp_path / "start.xyz"), "--steps", "20", "--interval", "5",
        "--log", str(log), "--no-progress", "--seed", "1",
    ])
    assert code == 0 and log.read_text().count("\n") >= 4


def test_unknown_family_names_the_known_ones(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("data: {train: [{name: a, files: [x.xyz]}]}\nmodel: {family: pairs}\n")
    with pytest.raises(ConfigError, match=r"model.family: .*nnp.*pair.*did you mean 'pair'"):
        load_config(path)


def test_mixed_families_and_missing_capabilities_are_refused(tmp_path):
    from physics_helpers import make_model

    from mlpot.errors import MlpotError
    from mlpot.interop import write_potential
    from mlpot.uncertainty import EnsembleCalculator

    pair = PairPotential(("Al", "Ni"), cutoff=4.6)
    with pytest.raises(MlpotError, match="'pair' model.*one family"):
        EnsembleCalculator([make_model(), pair], names=["nnp.pt", "pair.pt"])
    with pytest.raises(MlpotError, match="export to the n2p2 format: a 'pair' model lacks"):
        write_potential("n2p2", pair, tmp_path / "n2p2")
