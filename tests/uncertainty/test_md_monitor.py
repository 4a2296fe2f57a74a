"""Uncertainty during MD: logged columns, thresholds that warn or stop, and `mlpot md` with
several models."""

from __future__ import annotations

import csv

import ase.io
import numpy as np
import pytest
from ase.calculators.emt import EMT
from physics_helpers import bulk_alni
from uncertainty_helpers import committee, fit_ranges, unlabelled

from mlpot.calculators import MlpotCalculator
from mlpot.cli.main import main
from mlpot.errors import MlpotError
from mlpot.models.serialization import save_model
from mlpot.simulation.md import LOG_COLUMNS, run_md
from mlpot.uncertainty import EnsembleCalculator
from mlpot.uncertainty.monitor import MONITOR_COLUMNS, Thresholds


def start() -> object:
    """32 atoms: 8 identical copies of a rattled 4-atom cell."""
    return bulk_alni().repeat(2)


def members():
    """Two models whose descriptor ranges are those of start() alone: every Al atom has the
    same descriptors there, so any motion takes Al atoms out of the range."""
    return [fit_ranges(model, [unlabelled(start())]) for model in committee(2)]


MEMBERS = members()


def run(calc, **kwargs):
    settings = dict(
        ensemble="nvt",
        temperature_K=600,
        timestep_fs=1.0,
        steps=20,
        interval=5,
        seed=1,
        progress=False,
    )
    return run_md(start(), calc, **{**settings, **kwargs})


def test_committee_columns_are_logged(tmp_path):
    result = run(EnsembleCalculator(MEMBERS), log=tmp_path / "md.csv")
    with open(tmp_path / "md.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == LOG_COLUMNS + MONITOR_COLUMNS
    atoms = start()
    atoms.calc = EnsembleCalculator(MEMBERS)
    atoms.get_forces()
    assert float(rows[0]["energy_std"]) == pytest.approx(atoms.calc.results["energy_std"])
    assert result.log["max_force_deviation"][0] == pytest.approx(
        atoms.calc.results["max_force_deviation"]
    )
    assert result.log["extrapolating_atoms"].tolist()[0] == 0
    assert (result.log["extrapolating_atoms"][1:] >= 8).all()  # the Al atoms, at least


def test_a_single_model_logs_extrapolation_only():
    result = run(MlpotCalculator(MEMBERS[0]), steps=5)
    assert "extrapolating_atoms" in result.log and "energy_std" not in result.log
    assert run(EMT(), steps=0).log.keys() == set(LOG_COLUMNS)


def test_stop_ends_the_run_at_the_first_breaking_record(tmp_path):
    log, traj = tmp_path / "md.csv", tmp_path / "md.traj"
    thresholds = Thresholds(max_extrapolating=0, action="stop")
    result = run(EnsembleCalculator(MEMBERS), thresholds=thresholds, log=log, trajectory=traj)
    assert (
        result.stopped.startswith("step 5: ") and "atoms extrapolate > 0 allowed" in result.stopped
    )
    assert result.log["step"].tolist() == [0, 5]
    with open(log, newline="") as handle:
        assert [int(row["step"]) for row in csv.DictReader(handle)] == [0, 5]
    frames = ase.io.read(traj, index=":")
    assert len(frames) == 2 and frames[-1].positions == pytest.approx(result.atoms.positions)


def test_warn_goes_on_and_lists_the_records(capsys):
    thresholds = Thresholds(max_force_deviation=1e-9, action="warn")
    result = run(EnsembleCalculator(MEMBERS), thresholds=thresholds)
    assert result.stopped is None and result.log["step"][-1] == 20
    assert len(result.warnings) == 5 and result.warnings[0].startswith("step 0: max force dev")
    assert capsys.readouterr().err.count("warning: step") == 1  # once per run of breaches


def test_thresholds_need_the_quantities():
    with pytest.raises(MlpotError, match="needs a committee"):
        run(MlpotCalculator(MEMBERS[0]), thresholds=Thresholds(max_force_deviation=0.1))
    with pytest.raises(MlpotError, match="needs descriptor ranges, which EMT does not have"):
        run(EMT(), thresholds=Thresholds(max_extrapolating=3))
    with pytest.raises(MlpotError, match="'warn' or 'stop'"):
        Thresholds(max_extrapolating=3, action="halt")


def test_md_command_with_a_committee_stops_and_says_why(tmp_path, capsys):
    paths = [str(tmp_path / f"m{k}.pt") for k in range(2)]
    for model, path in zip(MEMBERS, paths, strict=True):
        save_model(model, path)
    structure, log = tmp_path / "start.xyz", tmp_path / "md.csv"
    ase.io.write(structure, start())
    code = main(
        [
            "md",
            *paths,
            str(structure),
            "--steps",
            "20",
            "--interval",
            "5",
            "--seed",
            "1",
            "--max-force-deviation",
            "1e-9",
            "--on-threshold",
            "stop",
            "--log",
            str(log),
            "--no-progress",
        ]
    )
    assert code == 2  # a stop on a threshold is not a success
    assert "error: stopped at step 0: max force deviation " in capsys.readouterr().err
    with open(log, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and float(rows[0]["max_force_deviation"]) > 1e-9
    assert np.isfinite(float(rows[0]["energy_std"]))


def test_md_command_refuses_a_threshold_it_cannot_check(tmp_path, capsys):
    path = tmp_path / "m.pt"
    save_model(committee(1)[0], path)
    structure = tmp_path / "start.xyz"
    ase.io.write(structure, start())
    assert main(["md", str(path), str(structure), "--max-extrapolating", "0"]) == 2
    assert "needs descriptor ranges" in capsys.readouterr().err
