"""`mlpot md` end to end with EMT, and its input errors."""

import csv

import ase.io
import pytest
from ase.build import bulk, molecule

from mlpot.cli.main import main


@pytest.fixture
def cu_file(tmp_path):
    path = tmp_path / "cu.xyz"
    ase.io.write(path, bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2))
    return path


def test_md_runs_and_writes_log_and_trajectory(tmp_path, cu_file, emt_model, capsys):
    log, traj = tmp_path / "md.csv", tmp_path / "md.traj"
    code = main(["md", "model.pt", str(cu_file), "--ensemble", "nvt", "--steps", "20",
                 "--interval", "5", "--timestep", "2", "--temperature", "500", "--seed", "1",
                 "--log", str(log), "--trajectory", str(traj), "--no-progress"])
    assert code == 0
    assert emt_model == ["model.pt"]
    with open(log, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == [0, 5, 10, 15, 20]
    assert float(rows[-1]["time_ps"]) == pytest.approx(0.04)
    assert len(ase.io.read(traj, index=":")) == 5
    assert capsys.readouterr().out.startswith("step 20: epot")


def test_npt_on_a_molecule_is_an_error(tmp_path, emt_model, capsys):
    path = tmp_path / "h2o.xyz"
    ase.io.write(path, molecule("H2O"))
    assert main(["md", "model.pt", str(path), "--ensemble", "npt", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlpot md: error: NPT needs a structure periodic")
    assert "Traceback" not in err


def test_missing_structure_file(tmp_path, emt_model, capsys):
    missing = tmp_path / "nothere.xyz"
    assert main(["md", "model.pt", str(missing)]) == 2
    assert capsys.readouterr().err == f"mlpot md: error: {missing}: no such file: " \
        "give the starting structure\n"
    assert emt_model == []  # failed before loading the model


def test_unreadable_structure_file(tmp_path, emt_model, capsys):
    path = tmp_path / "broken.xyz"
    path.write_text("not a number\n")
    assert main(["md", "model.pt", str(path)]) == 2
    assert f"mlpot md: error: {path}: cannot read a structure" in capsys.readouterr().err


def test_bad_trajectory_extension(tmp_path, cu_file, emt_model, capsys):
    assert main(["md", "model.pt", str(cu_file), "--trajectory", "md.pdb", "--steps", "1"]) == 2
    assert "unsupported extension '.pdb'" in capsys.readouterr().err
