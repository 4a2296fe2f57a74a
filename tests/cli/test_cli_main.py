"""The mlpot command frame: registry, parsing, and how errors are reported."""

import pytest

import mlpot.calculators
from mlpot.cli import main as cli
from mlpot.errors import MlpotError


def test_every_registered_command_parses(capsys):
    parser = cli.build_parser()
    for name, _module in cli.COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([name, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: mlpot {name}" in capsys.readouterr().out


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "required" in capsys.readouterr().err


def test_md_options_are_parsed():
    args = cli.build_parser().parse_args(
        ["md", "m.pt", "s.xyz", "--ensemble", "npt", "--pressure", "2.5", "--steps", "7",
         "--seed", "3", "--trajectory", "t.traj"]
    )
    assert (args.model, args.structure, args.ensemble) == ("m.pt", "s.xyz", "npt")
    assert (args.pressure, args.steps, args.seed, args.trajectory) == (2.5, 7, 3, "t.traj")
    assert (args.temperature, args.timestep, args.interval, args.log) == (300.0, 1.0, 10, None)


def test_evaluate_options_are_parsed():
    args = cli.build_parser().parse_args(["evaluate", "m.pt", "a.xyz", "OUTCAR 1:5", "--no-plot"])
    assert args.data == ["a.xyz", "OUTCAR 1:5"]
    assert args.no_plot and args.out == "."


def test_bad_option_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["md", "m.pt", "s.xyz", "--ensemble", "nph"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nph'" in capsys.readouterr().err


def _failing_model(monkeypatch):
    def load_calculator(path, units=None):
        raise MlpotError(f"{path}: not a model file")

    monkeypatch.setattr(mlpot.calculators, "load_calculator", load_calculator, raising=False)


def test_project_errors_print_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    _failing_model(monkeypatch)
    structure = tmp_path / "cu.xyz"
    structure.write_text("1\nLattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T T T\"\nCu 0 0 0\n")
    assert cli.main(["md", "bad.pt", str(structure)]) == 2
    err = capsys.readouterr().err
    assert err == "mlpot md: error: bad.pt: not a model file\n"


@pytest.mark.parametrize("position", ["before", "after"])
def test_debug_shows_the_traceback(tmp_path, monkeypatch, position):
    _failing_model(monkeypatch)
    structure = tmp_path / "cu.xyz"
    structure.write_text("1\nLattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T T T\"\nCu 0 0 0\n")
    args = ["md", "bad.pt", str(structure)]
    args = ["--debug"] + args if position == "before" else args + ["--debug"]
    with pytest.raises(MlpotError, match="not a model file"):
        cli.main(args)
