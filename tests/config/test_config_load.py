"""Valid configurations: every key read, defaults filled, paths resolved, dump round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlpot.config import (
    CosineSchedule,
    ExponentialSchedule,
    FileSpec,
    PlateauSchedule,
    TrainConfig,
    load_config,
    per_element,
)
from mlpot.errors import MlpotError

MINIMAL = """\
data:
  train: [{name: all, files: [train.xyz]}]
"""


def test_full_config_reads_every_key(write_config, full_text, tmp_path):
    config = load_config(write_config(full_text))
    assert config.output == tmp_path / "runs/si"
    assert config.elements == ["Si", "O"]
    bulk, surface = config.data.train
    assert (bulk.name, bulk.weight, bulk.format) == ("bulk", 2.0, "extxyz")
    assert bulk.files == [
        FileSpec(path=tmp_path / "data/train.xyz", selection=":"),
        FileSpec(path=tmp_path / "OUTCAR", selection="100:2000:20"),
    ]
    assert surface.files == [FileSpec(path=tmp_path / "data/surface.xyz", selection="::2")]
    assert (surface.weight, surface.format) == (1.0, None)
    assert config.data.validation == 0.2
    assert config.data.test[0].files[0].path == tmp_path / "test/*.xyz"
    assert config.data.require_forces is False
    d = config.descriptors
    assert (d.cutoff, d.cutoff_function, d.cutoff_alpha) == (5.5, "poly2", 0.1)
    assert (d.preset, d.n_radial, d.radial_mode, d.angular) == ("default", 8, "centred", "wide")
    assert (d.angular_eta, d.zeta, d.lambdas) == ([0.001, 0.01], [1.0, 4.0], [-1, 1])
    m = config.model
    assert m.hidden == {"Si": [24, 24], "O": [16, 16]}
    assert m.activation == {"Si": "tanh", "O": "silu"}
    assert (m.scaling, m.pca, m.reference_energies) == ("meanstd", True, {"Si": -5.4, "O": -4.9})
    t = config.training
    assert (t.epochs, t.batch_size, t.dtype, t.seed, t.device) == (50, 4, "float32", 7, "cuda:0")
    assert (t.optimizer.name, t.optimizer.lr, t.optimizer.weight_decay) == ("adamw", 5e-4, 1e-5)
    assert t.schedule == ExponentialSchedule(name="exponential", gamma=0.98)
    assert (t.loss.energy, t.loss.forces, t.loss.stress) == (1.0, 0.5, 0.1)
    assert (t.early_stopping.patience, t.early_stopping.min_delta) == (20, 1e-4)
    assert t.checkpoint_every == 5
    assert t.group_balance == 0.5


def test_shell_keys(write_config):
    text = MINIMAL + "descriptors: {angular_shells: 2, mixed_shells: true}\n"
    d = load_config(write_config(text)).descriptors
    assert (d.angular_shells, d.mixed_shells) == (2, True)


def test_exponent_floats_without_a_dot_are_numbers(write_config, full_text):
    """YAML 1.1 reads 5e-4 as a string; the loader must read it as a number."""
    config = load_config(write_config(full_text))
    assert isinstance(config.training.optimizer.lr, float)
    assert config.training.optimizer.weight_decay == pytest.approx(1e-5)


def test_defaults_are_filled(write_config, tmp_path):
    config = load_config(write_config(MINIMAL))
    assert config.output == tmp_path / "mlpot-run"
    assert config.elements is None
    assert (config.data.validation, config.data.test, config.data.require_forces) == (0.1, [], True)
    assert config.data.train[0].weight == 1.0
    d = config.descriptors
    assert (d.cutoff, d.cutoff_function, d.cutoff_alpha) == ("auto", "cos", 0.0)
    assert d.preset == "default"
    assert d.auto_neighbours == 50
    assert (d.n_radial, d.radial_mode, d.angular, d.angular_eta) == (12, "shifted", "narrow", None)
    assert (d.zeta, d.lambdas, d.symmetry_functions) == ([1, 2, 4, 16], [-1, 1], None)
    assert (d.angular_shells, d.mixed_shells) == (3, False)
    m = config.model
    assert (m.hidden, m.activation) == ([32, 32], "shifted_softplus")
    assert (m.scaling, m.pca) == ("minmax", True)
    assert m.reference_energies == "fit"
    t = config.training
    assert (t.epochs, t.batch_size, t.dtype, t.seed, t.device) == ("auto", 4, "float64", 0, "cpu")
    assert (t.optimizer.name, t.optimizer.lr, t.optimizer.weight_decay) == ("adam", 3e-3, 0.0)
    assert t.schedule == CosineSchedule(name="cosine", min_lr=1e-5)
    assert (t.loss.energy, t.loss.forces, t.loss.stress) == (1.0, 0.03, 0.0003)
    assert t.early_stopping is None
    assert (t.gdf, t.group_balance) == (None, 0.0)
    assert t.checkpoint_every == 1


def test_schedule_without_name_is_plateau_and_early_stopping_can_be_off(write_config):
    config = load_config(
        write_config(
            MINIMAL
            + """\
training:
  schedule: {patience: 3}
  early_stopping: null
"""
        )
    )
    assert config.training.schedule == PlateauSchedule(patience=3)
    assert config.training.early_stopping is None
    config = load_config(write_config(MINIMAL + "training: {schedule: {name: none}}\n"))
    assert config.training.schedule.name == "none"


def test_per_element_values_single_or_mapping(write_config):
    config = load_config(
        write_config(
            MINIMAL
            + """\
model:
  hidden: [8]
  activation: {Si: softplus, O: gaussian}
"""
        )
    )
    assert per_element(config.model.hidden, ["Si", "O"]) == {"Si": [8], "O": [8]}
    assert per_element(config.model.activation, ["O", "Si"]) == {"O": "gaussian", "Si": "softplus"}
    with pytest.raises(MlpotError, match="model.activation gives no value for C"):
        per_element(config.model.activation, ["Si", "C"], key="model.activation")


def test_relative_paths_resolve_against_the_config_directory(write_config, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write_config(
        """\
output: ../out
data:
  train:
    - {name: a, files: ["frames/*.{xyz,extxyz} -10:", /abs/OUTCAR, ~/dft/x.xyz]}
""",
        name="project/config.yaml",
    )
    config = load_config(Path("..") / "project" / "config.yaml")
    base = (elsewhere / ".." / "project").absolute()
    assert config.output == base / "../out"
    files = config.data.train[0].files
    assert files[0] == FileSpec(path=base / "frames/*.{xyz,extxyz}", selection="-10:")
    assert files[1].path == Path("/abs/OUTCAR")
    assert files[2].path == tmp_path / "home/dft/x.xyz"
    assert load_config(path).data.train[0].files[1:] == files[1:]


def test_train_as_a_structure_list_path(write_config, tmp_path):
    config = load_config(
        write_config("""\
data:
  train: lists/structure_list
  validation:
    - name: md
      files: ["md/OUTCAR ::5"]
""")
    )
    assert config.data.train == tmp_path / "lists/structure_list"
    held_out = config.data.validation[0].files
    assert held_out == [FileSpec(path=tmp_path / "md/OUTCAR", selection="::5")]


def test_explicit_symmetry_functions_replace_the_preset(write_config):
    config = load_config(
        write_config(
            MINIMAL
            + """\
elements: [Si]
descriptors:
  symmetry_functions:
    - Si 2 Si 0.01 0.0 6.0
    - symfunction_short  Si 3 Si Si 0.01 -1 1.0 6.0
    - Si 9 Si Si 0.01 1 2 5.0 0.5
"""
        )
    )
    assert config.descriptors.preset is None
    assert config.descriptors.symmetry_functions == [
        "Si 2 Si 0.01 0.0 6.0",
        "Si 3 Si Si 0.01 -1 1.0 6.0",
        "Si 9 Si Si 0.01 1 2.0 5.0 0.5",
    ]


def test_model_dump_round_trip(write_config, full_text):
    config = load_config(write_config(full_text))
    assert TrainConfig.model_validate(config.model_dump()) == config


def test_json_dump_written_as_yaml_loads_back_equal(write_config, full_text, tmp_path):
    config = load_config(write_config(full_text))
    dumped = tmp_path / "run" / "config.yaml"
    dumped.parent.mkdir()
    dumped.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    assert load_config(dumped) == config



def test_final_loss_stage_changes_only_the_coefficients_it_gives(write_config):
    from mlpot.training.loss import final_loss

    loss = "  loss: {forces: 0.05, final: {start: 0.8, energy: 20}}\n"
    text = MINIMAL + "training:\n  epochs: 100\n" + loss
    settings = load_config(write_config(text)).training
    final, first_epoch = final_loss(settings.loss, settings.epochs)
    assert (settings.loss.energy, settings.loss.forces) == (1.0, 0.05)
    assert (final.energy, final.forces) == (20, 0.05)
    assert final.stress == settings.loss.stress
    assert first_epoch == 81
