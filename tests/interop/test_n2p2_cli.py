"""`mlpot import` and `mlpot export` for n2p2, and n2p2 directories wherever a model is loaded."""

import json
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk

from mlpot.calculators import load_calculator
from mlpot.cli.main import main
from mlpot.models.serialization import load_model

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "n2p2_si"
TEST_SET = ROOT / "examples" / "si" / "test.xyz"


def _si_energy_and_forces(calc):
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    atoms.rattle(0.05, seed=3)
    atoms.calc = calc
    return atoms.get_potential_energy(), atoms.get_forces()


def test_import_export_evaluate(tmp_path, capsys):
    model_file, exported = tmp_path / "si.pt", tmp_path / "si_n2p2"
    args = ["import", str(FIXTURE), str(model_file), "--format", "n2p2", "--units", "bohr-hartree"]
    assert main(args) == 0
    assert "Si: 27 functions, hidden [24, 24]" in capsys.readouterr().out
    assert load_model(model_file).metadata["n2p2"]["source"] == str(FIXTURE)

    assert main(["export", str(model_file), str(exported), "--format", "n2p2"]) == 0
    out = capsys.readouterr().out
    assert all(
        name in out for name in ("input.nn", "scaling.data", "weights.014.data", "lammps.in")
    )

    energy, forces = _si_energy_and_forces(load_calculator(model_file))
    energy_dir, forces_dir = _si_energy_and_forces(load_calculator(exported))
    assert energy_dir == pytest.approx(energy, rel=1e-12)
    np.testing.assert_allclose(forces_dir, forces, rtol=0, atol=1e-12)

    report = tmp_path / "report"
    args = ["evaluate", str(exported), f"{TEST_SET} 0:3", "--no-plot", "--out", str(report)]
    assert main(args) == 0
    errors = json.loads((report / "errors.json").read_text())
    assert errors["overall"]["n_frames"] == 3
    assert 0 < errors["overall"]["energy"]["mae"] < 20  # meV/atom: a working potential


def test_units_are_for_n2p2_only(tmp_path, capsys):
    args = [
        "import",
        str(FIXTURE),
        str(tmp_path / "x.pt"),
        "--format",
        "mliap",
        "--units",
        "bohr-hartree",
    ]
    assert main(args) == 2
    assert "--units applies to n2p2 potentials, not to mliap" in capsys.readouterr().err
