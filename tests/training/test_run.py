"""The training library: prepare checks everything before training (test data included) and
returns typed settings; train runs them."""

from __future__ import annotations

import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write
from emt_alni import SF_LINES, emt_frames

from mlpot.config import TrainConfig
from mlpot.errors import MlpotError
from mlpot.training.run import prepare, train


def _config(tmp_path, test_files, epochs="auto") -> TrainConfig:
    write(tmp_path / "train.xyz", [f.to_atoms() for f in emt_frames(8)], format="extxyz")
    return TrainConfig.model_validate({
        "output": str(tmp_path / "run"),
        "data": {
            "train": [{"name": "bulk", "files": [str(tmp_path / "train.xyz")]}],
            "validation": 0.25,
            "test": [{"name": "test", "files": [str(f) for f in test_files]}],
        },
        "descriptors": {"symmetry_functions": SF_LINES},
        "model": {"hidden": [4]},
        "training": {"epochs": epochs, "batch_size": 2},
    })


def test_a_wrong_test_path_fails_before_training(tmp_path):
    config = _config(tmp_path, [tmp_path / "missing.xyz"])
    with pytest.raises(MlpotError, match="missing.xyz"):
        prepare(config, progress=False)
    assert not (tmp_path / "run").exists()


def test_test_structures_with_unknown_elements_fail_before_training(tmp_path):
    cu = bulk("Cu", "fcc", a=3.6)
    cu.calc = EMT()
    cu.get_potential_energy()
    write(tmp_path / "cu.xyz", cu, format="extxyz")
    with pytest.raises(MlpotError, match="Cu"):
        prepare(_config(tmp_path, [tmp_path / "cu.xyz"]), progress=False)


def test_prepare_resolves_the_settings_and_train_writes_the_run(tmp_path):
    write(tmp_path / "test.xyz", [f.to_atoms() for f in emt_frames(2, seed=9)], format="extxyz")
    run = prepare(_config(tmp_path, [tmp_path / "test.xyz"]), progress=False)
    assert isinstance(run.settings.epochs, int) and run.settings.epochs >= 100
    assert len(run.train_set) == 6 and len(run.validation_set) == 2 and len(run.test_frames) == 2
    run.settings = run.settings.model_copy(update={"epochs": 2})
    outcome = train(run, progress=False)
    assert outcome.model_path.is_file() and len(outcome.rows) == 2
    assert (tmp_path / "run" / "run.json").is_file()
