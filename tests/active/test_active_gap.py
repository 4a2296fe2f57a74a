"""`mlpot active` with one GAP instead of a committee: structures are selected by the GP's own
predictive variance (energy_std_per_atom), and each iteration keeps the previous sparse points
and adds new ones."""

from __future__ import annotations

import json
import math

import pytest
import torch
from active_setup import holdout_frames, starting_structures
from ase.io import write

from mlpot.cli.main import main
from mlpot.models.serialization import load_model

pytest.importorskip("featomic")


def write_gap_setup(directory, members: int = 1, measure: str = "energy_std_per_atom"):
    write(directory / "start.xyz", starting_structures(), format="extxyz")
    write(directory / "holdout.xyz", holdout_frames(), format="extxyz")
    config = directory / "config.yaml"
    config.write_text(f"""
output: run
start: {{structures: [start.xyz], rattle_copies: 2, rattle_stdev: 0.08}}
holdout: [holdout.xyz]
oracle: {{calculator: emt}}
executor: {{kind: process, workers: 2}}
ensemble: {{members: {members}}}
explore:
  temperatures: [900]
  steps: 20
  timestep: 2.0
  interval: 5
select: {{measure: {measure}, lower: 0.0005, upper: 100.0, max_per_iteration: 4}}
iterations: 2
validation: 0.0
model:
  family: gap
  soap: {{cutoff: 4.0, width: 1.0, l_max: 3, n_max: 3}}
  two_body: {{cutoff: 4.0, n_points: 6, r_min: 1.8}}
  n_sparse: 6
""")
    return config


def test_one_gap_selects_by_its_own_variance_and_grows_its_sparse_set(tmp_path):
    config = write_gap_setup(tmp_path)
    assert main(["active", str(config), "--no-progress"]) == 0
    run = tmp_path / "run"
    rows = json.loads((run / "report.json").read_text())["rows"]
    assert [row["iteration"] for row in rows] == [0, 1, 2]
    for row in rows:
        assert math.isfinite(row["holdout_energy_rmse"]) and row["holdout_energy_rmse"] > 0
        assert row["holdout_mean_uncertainty"] > 0  # the GP's energy std per atom
    for row in rows[1:]:
        assert 0 < row["selected"] <= 4
    members = [load_model(run / f"iteration_00{k}/ensemble/member_0/model.pt") for k in (0, 2)]
    first, last = members
    assert last.n_sparse > first.n_sparse  # continued: new points added to the old ones
    kept = torch.isin(first.sparse, last.sparse).all(dim=1)
    assert kept.all()
    assert not (run / "iteration_000/ensemble/member_1").exists()


def test_one_model_needs_the_energy_variance_measure(tmp_path, capsys):
    config = write_gap_setup(tmp_path, measure="max_force_deviation")
    assert main(["active", str(config), "--no-progress"]) == 2
    assert "energy_std_per_atom" in capsys.readouterr().err


def test_a_committee_of_identical_gaps_is_refused(tmp_path, capsys):
    config = write_gap_setup(tmp_path, members=2)
    assert main(["active", str(config), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "identical" in err and "members: 1" in err
