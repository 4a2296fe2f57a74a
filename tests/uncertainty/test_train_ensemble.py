"""train_ensemble and `mlpot ensemble`: member settings, end to end with an interruption and
--resume, and the errors a user can act on."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from uncertainty_helpers import write_cu_config

from mlpot.cli.main import main
from mlpot.config import load_config
from mlpot.errors import MlpotError
from mlpot.training.data import read_training_data
from mlpot.training.run import build_model
from mlpot.training.trainer import Trainer
from mlpot.uncertainty import load_ensemble_calculator
from mlpot.uncertainty.train_ensemble import member_config, train_ensemble


def test_seed_members_differ_in_seed_and_validation_split(tmp_path):
    config = load_config(write_cu_config(tmp_path))
    members = [member_config(config, k, "seeds", tmp_path / "ens", 1.0) for k in range(3)]
    assert [m.training.seed for m in members] == [0, 1, 2]
    assert [m.output for m in members] == [tmp_path / "ens" / f"member_{k}" for k in range(3)]
    held_out = [tuple(f.source for f in read_training_data(m)[1]) for m in members]
    assert len(set(held_out)) == 3
    assert {m.training.loss.atomic_energy for m in members} == {0.0}


def test_bootstrap_members_resample_their_training_frames(tmp_path):
    config = load_config(write_cu_config(tmp_path))
    data = config.data.model_copy(update={"bootstrap": True})
    resampled = config.model_copy(update={"data": data})
    draws = []
    for k in range(3):
        plain_train, plain_val = read_training_data(member_config(config, k, "seeds", tmp_path, 1))
        train, val = read_training_data(member_config(resampled, k, "seeds", tmp_path, 1))
        assert [f.source for f in val] == [f.source for f in plain_val]  # the same split
        sources = [f.source for f in train]
        assert len(sources) == len(plain_train)
        assert set(sources) <= {f.source for f in plain_train}
        assert len(set(sources)) < len(sources)  # drawn with replacement
        draws.append(tuple(sources))
    assert len(set(draws)) == 3


def test_atomic_energy_replicas_fit_member_zero(tmp_path):
    config = load_config(write_cu_config(tmp_path))
    members = [member_config(config, k, "atomic_energy", tmp_path, 0.5) for k in range(3)]
    assert [m.training.loss.atomic_energy for m in members] == [0.0, 0.5, 0.5]
    assert members[2].training.loss.energy == config.training.loss.energy


def test_members_take_the_architecture_of_member_zero(tmp_path):
    """Generated sets depend on the training split (shortest distance): members after the
    first start from member 0's architecture with new weights."""
    config = load_config(write_cu_config(tmp_path))
    splits = [
        read_training_data(member_config(config, k, "seeds", tmp_path, 1.0))[0] for k in range(2)
    ]
    built = [build_model(config, frames) for frames in splits]
    assert built[0].sfset.to_dict() != built[1].sfset.to_dict()
    member = built[0].fresh(seed=1)
    assert member.sfset.to_dict() == built[0].sfset.to_dict()
    first, other = built[0].networks["Cu"][0].weight, member.networks["Cu"][0].weight
    assert not torch.equal(first, other)
    assert torch.equal(built[0].fresh(seed=0).networks["Cu"][0].weight, first)


def interrupt_member_1_after_its_first_epoch(monkeypatch):
    checkpoint = Trainer._checkpoint

    def interrupting(self):
        checkpoint(self)
        if self.files.root.name == "member_1" and self.epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "_checkpoint", interrupting)


def test_ensemble_command_end_to_end_with_resume(tmp_path, monkeypatch, capsys):
    config = write_cu_config(tmp_path, epochs=2)
    command = [
        "ensemble",
        str(config),
        "--members",
        "2",
        "--kind",
        "atomic-energy",
        "--no-progress",
        "--no-plot",
    ]
    with monkeypatch.context() as patch:
        interrupt_member_1_after_its_first_epoch(patch)
        assert main(command) == 130
    run = tmp_path / "run"
    manifest = json.loads((run / "ensemble.json").read_text())
    assert manifest["models"] == ["member_0/model.pt"] and manifest["kind"] == "atomic_energy"
    assert main(command) == 2
    assert "already holds an ensemble; use --resume" in capsys.readouterr().err
    assert main([*command, "--resume"]) == 0
    out = capsys.readouterr().out
    assert "member 0: finished, skipped" in out and "member 1: resuming" in out
    manifest = json.loads((run / "ensemble.json").read_text())
    assert manifest["models"] == ["member_0/model.pt", "member_1/model.pt"]
    assert manifest["atomic_energy_model"] == "member_0/model.pt"
    log = (run / "member_1" / "log.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in log[1:]] == ["1", "2"]  # resumed, not restarted
    assert (run / "test" / "errors.json").is_file()
    calc = load_ensemble_calculator(run / "ensemble.json")
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.calc = calc
    assert np.isfinite(atoms.get_forces()).all()
    assert calc.results["max_force_deviation"] > 0


def test_resume_skips_finished_members_and_keeps_the_kind(tmp_path):
    config = load_config(write_cu_config(tmp_path, epochs=1))
    output = tmp_path / "ens"
    models = train_ensemble(config, 2, "seeds", output, progress=False)
    assert models == [output / "member_0" / "model.pt", output / "member_1" / "model.pt"]
    messages = []
    assert train_ensemble(config, 2, "seeds", output, resume=True, report=messages.append) == (
        models
    )
    assert messages == ["member 0: finished, skipped", "member 1: finished, skipped"]
    with pytest.raises(MlpotError, match="of kind 'seeds', not 'atomic_energy'"):
        train_ensemble(config, 2, "atomic_energy", output, resume=True)
    shutil.copytree(output / "member_1", output / "member_2")  # as if 3 had been trained
    manifest = json.loads((output / "ensemble.json").read_text())
    manifest["models"].append("member_2/model.pt")
    (output / "ensemble.json").write_text(json.dumps(manifest))
    with pytest.raises(MlpotError, match="3 members are already finished; ask for at least"):
        train_ensemble(config, 2, "seeds", output, resume=True)
    (output / "member_2" / "model.pt").unlink()
    with pytest.raises(MlpotError, match="lists member_2/model.pt, which does not exist"):
        train_ensemble(config, 3, "seeds", output, resume=True)


@pytest.mark.parametrize(
    "members, kind, message",
    [(1, "seeds", "at least 2 members"), (3, "bagging", "unknown ensemble kind 'bagging'")],
)
def test_bad_requests(tmp_path, members, kind, message):
    config = load_config(write_cu_config(tmp_path))
    with pytest.raises(MlpotError, match=message):
        train_ensemble(config, members, kind, tmp_path / "ens")


def test_negative_atomic_energy_weight_is_refused_before_anything_is_written(tmp_path):
    config = load_config(write_cu_config(tmp_path))
    with pytest.raises(MlpotError, match="coefficient must be positive, got -1"):
        train_ensemble(config, 2, "atomic_energy", tmp_path / "ens", atomic_energy_weight=-1)
    assert not (tmp_path / "ens").exists()
