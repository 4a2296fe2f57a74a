"""What a user gets for bad input at the command line: one clear message and a non-zero exit,
never a traceback or NaN in a written file; and what a run says about itself."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT
from ase.io import write
from bad_data import copper, write_xyz

import mlpot.calculators
import mlpot.data.resources
from mlpot.cli.main import main

CONFIG = """output: run
data:
  train: [{{name: bulk, files: [train.xyz]}}]
  validation: {validation}
descriptors: {{cutoff: {cutoff}, n_radial: 4, zeta: [1]}}
model: {{hidden: [4]}}
training: {{epochs: {epochs}, batch_size: 4, loss: {{energy: 1.0, forces: 0.1}}}}
{extra}"""


def _config(tmp_path, images, cutoff=4.5, epochs=2, validation=0.25, extra=""):
    write_xyz(tmp_path / "train.xyz", images)
    path = tmp_path / "config.yaml"
    text = CONFIG.format(cutoff=cutoff, epochs=epochs, validation=validation, extra=extra)
    path.write_text(text)
    return str(path)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _strict_json(path):
    """Parse JSON that must not hold NaN or Infinity."""
    def refuse(token):
        raise AssertionError(f"{path} holds {token}")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_atoms_on_top_of_each_other(in_tmp, emt_model, capsys):
    images = copper(8)
    images[6].positions[2] = images[6].positions[0]
    config = _config(in_tmp, images)
    assert main(["train", config, "--no-progress"]) == 2
    assert "train.xyz', frame 6 (line 37): atoms 0 and 2 are 0 Å apart" in capsys.readouterr().err
    assert main(["evaluate", "m.pt", "train.xyz", "--no-plot", "--no-progress"]) == 2
    assert "frame 6 (line 37): atoms 0 and 2" in capsys.readouterr().err
    write("start.xyz", images[6])
    assert main(["md", "m.pt", "start.xyz", "--steps", "2", "--no-progress"]) == 2
    assert "start.xyz': atoms 0 and 2 are 0 Å apart" in capsys.readouterr().err


class NaNCalculator(Calculator):
    implemented_properties = ["energy", "forces"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.results = {"energy": math.nan, "forces": np.zeros((len(atoms), 3))}


def test_a_model_predicting_nan_is_an_error_naming_the_frame(in_tmp, monkeypatch, capsys):
    monkeypatch.setattr(mlpot.calculators, "load_calculator", lambda p, units=None: NaNCalculator())
    write_xyz("data.xyz", copper(2))
    assert main(["evaluate", "m.pt", "data.xyz", "--no-plot", "--no-progress"]) == 2
    assert "'data.xyz', frame 0: the model predicts a non-finite energy" in capsys.readouterr().err
    assert not (in_tmp / "errors.json").exists()


class NaNStress(EMT):
    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if "stress" in self.results:
            self.results["stress"] = np.full(6, math.nan)


def test_errors_json_has_null_not_nan_and_evaluate_has_no_progress(in_tmp, monkeypatch, capsys):
    monkeypatch.setattr(mlpot.calculators, "load_calculator", lambda p, units=None: NaNStress())
    write_xyz("data.xyz", copper(3))
    assert main(["evaluate", "m.pt", "data.xyz", "--no-plot", "--no-progress"]) == 0
    errors = _strict_json(in_tmp / "errors.json")
    assert "predict" not in capsys.readouterr().err
    assert errors["overall"]["stress"]["mae"] is None


def test_a_huge_cutoff_is_refused_before_any_descriptor(in_tmp, monkeypatch, capsys):
    monkeypatch.setattr(mlpot.data.resources, "machine_memory", lambda: (0.05e9, 0.04e9))
    config = _config(in_tmp, copper(8), cutoff=40)
    assert main(["train", config, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "more than this machine's 0.05 GB of memory; lower descriptors.cutoff (now 40 Å" in err


def test_a_cutoff_below_every_bond_is_refused(in_tmp, capsys):
    config = _config(in_tmp, copper(8), cutoff=1.0, extra="")
    assert main(["train", config, "--no-progress"]) == 2
    assert "no atom has a neighbour within the cutoff of 1 Å" in capsys.readouterr().err


def test_an_element_outside_the_model_is_named_in_one_form(in_tmp, capsys):
    images = copper(6)
    images[3].numbers[1] = 79
    config = _config(in_tmp, images, extra="elements: [Cu]")
    assert main(["train", config, "--no-progress"]) == 2
    assert "train.xyz', frame 3: element(s) Au not in the model" in capsys.readouterr().err


def test_a_run_reports_its_data_choices_and_best_epoch_and_resumes_its_schedule(in_tmp, capsys):
    config = _config(in_tmp, copper(3), validation=0.1)
    assert main(["train", config, "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "validation: 0.1 of 3 frames holds out no frame" in captured.err
    assert "only 3 training structure(s)" in captured.err
    assert "train.xyz': 3 frame(s) read, 3 used" in captured.out
    assert "model inputs: cutoff 4.5 Å, " in captured.out
    assert "predict" not in captured.err  # --no-progress: no bar at all
    run = _strict_json(in_tmp / "run" / "run.json")
    assert run["best_epoch"] in (1, 2) and "lowest training loss" in run["best_reason"]
    _config(in_tmp, copper(3), validation=0.1, epochs=4)
    assert main(["train", config, "--no-progress", "--resume"]) == 0
    assert "goes on from the last epoch's learning rate" in capsys.readouterr().err
    text = (in_tmp / "run" / "log.csv").read_text()
    assert "nan" not in text.lower()  # no validation frames: empty cells
    with open(in_tmp / "run" / "log.csv") as handle:
        rates = [float(row["lr"]) for row in csv.DictReader(handle)]
    assert len(rates) == 4 and all(b <= a for a, b in zip(rates, rates[1:], strict=False))


def test_md_on_a_cell_without_volume(in_tmp, emt_model, capsys):
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.cell[2] = atoms.cell[0]
    write("flat.xyz", atoms)
    assert main(["md", "m.pt", "flat.xyz", "--steps", "2", "--no-progress"]) == 2
    assert "zero volume" in capsys.readouterr().err


class Committee(EMT):
    """EMT posing as a committee whose members disagree by 0.5 eV/Å."""

    implemented_properties = [*EMT.implemented_properties, "energy_std", "max_force_deviation"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, ["energy", "forces", "stress"], system_changes)
        self.results.update(energy_std=0.01, max_force_deviation=0.5)


@pytest.mark.parametrize("action", ["stop", "warn"])
def test_md_thresholds_end_with_a_summary(in_tmp, monkeypatch, capsys, action):
    monkeypatch.setattr(mlpot.calculators, "load_calculator", lambda p, units=None: Committee())
    write("start.xyz", bulk("Cu", "fcc", a=3.6, cubic=True))
    args = ["md", "m.pt", "start.xyz", "--steps", "20", "--no-progress",
            "--max-force-deviation", "0.3", "--on-threshold", action]
    err_code = main(args)
    err = capsys.readouterr().err
    if action == "stop":
        assert err_code == 2 and "stopped at step 0: max force deviation 0.5 eV/Å" in err
    else:
        assert err_code == 0 and "3 of 3 records broke a threshold, the first at step 0" in err


def test_an_exploding_md_run_fails(in_tmp, emt_model, capsys):
    write("start.xyz", bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2))
    args = ["md", "m.pt", "start.xyz", "--steps", "200", "--timestep", "40", "--ensemble", "nve",
            "--temperature", "300", "--seed", "1", "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "the simulation exploded" in err
