"""The active-learning configuration: defaults, paths, and one clear error per problem."""

from __future__ import annotations

import pytest
from active_setup import write_setup

from mlpot.active.config import load_active_config
from mlpot.cli.main import main
from mlpot.config import ConfigError


def test_setup_loads_with_paths_relative_to_the_file(tmp_path):
    cfg = load_active_config(write_setup(tmp_path))
    assert cfg.output == tmp_path / "run"
    assert cfg.start.structures[0].path == tmp_path / "start.xyz"
    assert cfg.oracle.calculator == "emt" and cfg.executor.kind == "process"
    assert cfg.select.measure == "max_force_deviation" and cfg.ensemble.kind == "seeds"
    assert cfg.explore.strains == [0.0] and cfg.explore.pressures is None


def test_the_model_family_brings_its_training_defaults(tmp_path):
    """The committee of an equivariant loop trains with the family's learning rate where the
    config's training section gives none."""
    from mlpot.config.schema import EquivariantConfig

    path = write_setup(tmp_path)
    text = path.read_text().replace("model: {hidden: [4], activation: tanh}",
                                    "model: {family: equivariant, channels: 4}")
    path.write_text(text)
    lr = load_active_config(path).training.optimizer.lr
    assert lr == EquivariantConfig.training_defaults["optimizer.lr"]
    path.write_text(text.replace("  epochs: 4", "  epochs: 4\n  optimizer: {lr: 0.002}"))
    assert load_active_config(path).training.optimizer.lr == 0.002


def test_an_oracle_file_is_read_from_the_config_directory(tmp_path):
    (tmp_path / "reference.pt").write_bytes(b"")
    path = write_setup(tmp_path, oracle="{calculator: reference.pt}")
    assert load_active_config(path).oracle.calculator == str(tmp_path / "reference.pt")


@pytest.mark.parametrize(
    ("text", "old", "expected"),
    [
        (
            "select: {lower: 0.02, upper: 20.0",
            "select: {lower: 0.5, upper: 0.1",
            "upper (0.1) must be above lower (0.5)",
        ),
        (
            "oracle: {calculator: emt}",
            "oracle: {calculator: emt, factory: 'a.b:c'}",
            "give either calculator",
        ),
        ("oracle: {calculator: emt}", "oracle: {factory: 'no colon'}", "factory"),
        ("explore:", "explor:", "did you mean 'explore'?"),
        ("temperatures: [900]", "temperatures: []", "explore.temperatures"),
        ("ensemble: {members: 2}", "ensemble: {members: 1}", "ensemble.members"),
    ],
)
def test_bad_settings_name_key_and_line(tmp_path, text, old, expected):
    config = write_setup(tmp_path)
    source = config.read_text()
    assert text in source
    config.write_text(source.replace(text, old))
    with pytest.raises(ConfigError) as error:
        load_active_config(config)
    message = str(error.value)
    assert expected in message and f"{config}:" in message


def test_cli_reports_config_errors_in_one_line(tmp_path, capsys):
    config = write_setup(tmp_path)
    config.write_text(config.read_text().replace("max_per_iteration", "max_per_iter"))
    assert main(["active", str(config)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'max_per_iteration'?" in err and "Traceback" not in err


def test_unknown_element_in_the_start_structures(tmp_path, capsys):
    config = write_setup(tmp_path, extra="elements: [Al]\n")
    assert main(["active", str(config), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "Ni not in elements (Al)" in err and "start.xyz" in err
