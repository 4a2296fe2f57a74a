"""`mlpot train` end to end on a tiny EMT data set: model, log, test errors, resume, errors."""

from __future__ import annotations

import json

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

from mlpot.calculators import load_calculator
from mlpot.cli.main import main


def write_data(path, n, seed):
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(n):
        atoms = bulk("Cu", "fcc", a=3.55 + 0.1 * rng.random(), cubic=True)
        atoms.rattle(0.08, seed=int(rng.integers(1 << 30)))
        atoms.calc = EMT()
        atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
        frames.append(atoms)
    write(path, frames, format="extxyz")


def write_config(tmp_path, epochs=3, extra=""):
    write_data(tmp_path / "train.xyz", 12, 0)
    write_data(tmp_path / "test.xyz", 3, 1)
    config = tmp_path / "config.yaml"
    config.write_text(f"""
output: run
data:
  train: [{{name: bulk, files: [train.xyz]}}]
  validation: 0.25
  test: [{{name: held-out, files: [test.xyz]}}]
descriptors: {{cutoff: 4.5, n_radial: 4, zeta: [1, 2]}}
model: {{hidden: [6]}}
training:
  epochs: {epochs}
  batch_size: 4
  loss: {{energy: 1.0, forces: 0.1, stress: 0.01}}
{extra}""")
    return config


def test_train_writes_model_log_and_test_errors(tmp_path, capsys):
    config = write_config(tmp_path)
    assert main(["train", str(config), "--no-progress"]) == 0
    run = tmp_path / "run"
    assert (run / "model.pt").is_file() and (run / "log.csv").is_file()
    errors = json.loads((run / "test" / "errors.json").read_text())
    assert "held-out" in json.dumps(errors)
    assert (run / "test" / "parity.png").stat().st_size > 1000
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.calc = load_calculator(run / "model.pt")
    assert np.isfinite(atoms.get_potential_energy())
    assert "model written to" in capsys.readouterr().out


def test_train_with_neighbour_messages(tmp_path):
    """A model with `model.interaction` trains, saves, and runs as a calculator."""
    config = write_config(tmp_path)
    text = config.read_text().replace(
        "model: {hidden: [6]}", "model: {hidden: [6], interaction: {features: 3, cutoff: 3.0}}"
    )
    config.write_text(text)
    assert main(["train", str(config), "--no-progress"]) == 0
    calc = load_calculator(tmp_path / "run" / "model.pt")
    assert calc.model.interaction.cutoff == 3.0
    assert calc.model.interaction.neighbours > 1  # fitted: the mean number of senders
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.calc = calc
    assert np.isfinite(atoms.get_forces()).all()


def test_train_refuses_to_overwrite_and_resumes(tmp_path, capsys):
    config = write_config(tmp_path, epochs=2)
    assert main(["train", str(config), "--no-progress", "--no-plot"]) == 0
    assert main(["train", str(config), "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err
    write_config(tmp_path, epochs=4)
    assert main(["train", str(config), "--no-progress", "--no-plot", "--resume"]) == 0
    lines = (tmp_path / "run" / "log.csv").read_text().splitlines()
    assert len(lines) == 1 + 4


def test_init_model_continues_training_on_new_data(tmp_path):
    config = write_config(tmp_path, epochs=2)
    assert main(["train", str(config), "--no-progress", "--no-plot"]) == 0
    first = tmp_path / "run" / "model.pt"
    second_config = tmp_path / "config2.yaml"
    second_config.write_text(config.read_text().replace("output: run", "output: run2"))
    args = ["train", str(second_config), "--no-progress", "--no-plot", "--init-model", str(first)]
    assert main(args) == 0
    assert (tmp_path / "run2" / "model.pt").is_file()


def test_bad_config_is_one_clear_error(tmp_path, capsys):
    config = write_config(tmp_path, extra="  epochz: 3\n")
    assert main(["train", str(config)]) == 2
    err = capsys.readouterr().err
    assert "epochz" in err and "did you mean 'epochs'" in err and "Traceback" not in err


def test_missing_data_file_names_the_file(tmp_path, capsys):
    config = write_config(tmp_path)
    (tmp_path / "train.xyz").unlink()
    assert main(["train", str(config)]) == 2
    assert "train.xyz" in capsys.readouterr().err
