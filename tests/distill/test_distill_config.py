"""The distillation configuration: defaults, paths, and one clear error per problem."""

from __future__ import annotations

import pytest
from distill_setup import write_setup

from mlpot.cli.main import main
from mlpot.config import ConfigError
from mlpot.distill.config import load_distill_config


def test_setup_loads_with_paths_relative_to_the_file(tmp_path):
    cfg = load_distill_config(write_setup(tmp_path))
    assert cfg.output == tmp_path / "run"
    assert cfg.structures[0].path == tmp_path / "start.xyz"
    assert cfg.teacher.calculator == "emt" and cfg.dft is None
    assert cfg.select.budget == 16 and cfg.select.holdout == 0.25
    assert cfg.explore.starts is None and cfg.explore.include_structures
    assert cfg.model.family == "nnp"


def test_a_teacher_file_is_read_from_the_config_directory(tmp_path):
    (tmp_path / "teacher.pt").write_bytes(b"")
    cfg = load_distill_config(write_setup(tmp_path, teacher="{calculator: teacher.pt}"))
    assert cfg.teacher.calculator == str(tmp_path / "teacher.pt")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("select: {budget: 16", "select: {budget: 1", "select.budget"),
        ("holdout: 0.25", "holdout: 1.5", "select.holdout"),
        ("teacher: {calculator: emt}", "teacher: {calculator: emt, factory: 'a.b:c'}",
         "give either calculator"),
        ("teacher: {calculator: emt}", "", "teacher"),
        ("explore:", "explor:", "did you mean 'explore'?"),
        ("temperatures: [600, 1200]", "temperatures: []", "explore.temperatures"),
        ("steps: 10", "steps: 10\n  starts: 0", "explore.starts"),
        ("structures: [start.xyz]", "structures: []", "structures"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, old, new, expected):
    config = write_setup(tmp_path)
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.").replace("?", r"\?")):
        load_distill_config(config)


def test_a_dft_section_needs_test_data(tmp_path):
    config = write_setup(tmp_path, extra="dft: {offsets_from: [dft.xyz]}")
    with pytest.raises(ConfigError, match=r"dft\.test"):
        load_distill_config(config)


def test_cli_reports_config_errors_in_one_line(tmp_path, capsys):
    config = write_setup(tmp_path)
    config.write_text(config.read_text().replace("select: {budget: 16", "select: {budget: -3"))
    assert main(["distill", str(config), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "config.yaml" in err and "select.budget" in err and "Traceback" not in err


def test_an_unknown_teacher_fails_before_any_work(tmp_path, capsys):
    config = write_setup(tmp_path, teacher="{calculator: no-such-teacher}")
    assert main(["distill", str(config), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "'no-such-teacher' cannot be created" in err and "Traceback" not in err
    assert not (tmp_path / "run" / "explore").exists()


def test_missing_structures_are_named(tmp_path, capsys):
    config = write_setup(tmp_path)
    config.write_text(config.read_text().replace("[start.xyz]", "[nothing_here.xyz]"))
    assert main(["distill", str(config), "--no-progress"]) == 2
    assert "nothing_here.xyz" in capsys.readouterr().err
