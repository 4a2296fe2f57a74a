"""`mlpot active` end to end on tiny Al-Ni cells with EMT as the oracle: report, failures,
resume after a kill in labelling or in training without repeating finished work."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import torch
from active_oracles import calls, fingerprint
from active_setup import DASK, counting_oracle, write_setup
from ase.io import read

from mlpot.active.config import load_active_config
from mlpot.active.label import LabelStore
from mlpot.active.loop import run_active
from mlpot.cli.main import main
from mlpot.models.serialization import load_model


def labelled_fingerprints(run) -> set[str]:
    return {
        fingerprint(atoms)
        for path in run.glob("iteration_*/labels/*.xyz")
        for atoms in read(path, ":")
    }


def test_loop_end_to_end_with_a_failing_oracle(tmp_path, capsys):
    log = tmp_path / "oracle.log"
    oracle = counting_oracle(log, fail_formula="Al4")
    config = write_setup(tmp_path, oracle=oracle, executor=DASK, iterations=2)
    assert main(["active", str(config), "--no-progress"]) == 0
    run = tmp_path / "run"
    report = json.loads((run / "report.json").read_text())
    rows = report["rows"]
    assert [row["iteration"] for row in rows] == [0, 1, 2]
    # iteration 0: 3 structures and 2 rattled copies each; the 3 pure-Al ones fail
    assert (rows[0]["selected"], rows[0]["labelled"], rows[0]["failed"]) == (9, 6, 3)
    failures = [json.loads(p.read_text()) for p in (run / "iteration_000/failures").glob("*")]
    assert len(failures) == 3
    assert all("no convergence for Al4" in f["error"] and f["origin"] for f in failures)
    frames = 0
    for row in rows:
        assert row["selected"] == row["labelled"] + row["failed"]
        frames += row["labelled"]
        assert row["training_frames"] == frames
        assert math.isfinite(row["holdout_energy_rmse"]) and row["holdout_energy_rmse"] > 0
        assert 0 < row["holdout_forces_mae"] <= row["holdout_forces_rmse"]
        assert 0 <= row["holdout_flagged_fraction"] <= 1
    for row in rows[1:]:
        # 3 structures x 5 MD snapshots (steps 0, 5, ..., 20) + 3 x 2 normal-mode samples
        assert row["explored"] == 21
        assert row["below_lower"] + row["in_window"] + row["above_upper"] == 21
        assert 0 <= row["too_close"] <= row["above_upper"]
        assert row["in_window"] == row["duplicates"] + row["capped"] + row["selected"]
        assert 0 < row["selected"] <= 6
        assert row["flagged_fraction"] == pytest.approx(
            (row["in_window"] + row["above_upper"]) / 21
        )
    # every successful or failed label is one oracle call; nothing was labelled twice
    assert len(calls(log)) == sum(row["selected"] for row in rows)
    assert len(set(calls(log))) == len(calls(log))
    with open(run / "report.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    assert (run / "report.png").stat().st_size > 1000
    assert "reached the iteration limit" in capsys.readouterr().out
    # later iterations continue the members on more data: scaling refitted, range widened
    first = load_model(run / "iteration_000/ensemble/member_1/model.pt")
    last = load_model(run / "iteration_002/ensemble/member_1/model.pt")
    assert not torch.equal(first.scalers["Ni"].scale, last.scalers["Ni"].scale)
    assert torch.all(last.descriptor_ranges["Ni"].low <= first.descriptor_ranges["Ni"].low)
    assert torch.all(last.descriptor_ranges["Ni"].high >= first.descriptor_ranges["Ni"].high)
    assert not torch.equal(first.networks["Ni"][0].weight, last.networks["Ni"][0].weight)
    # a finished run resumes to nothing; starting over in the same place is refused
    n_calls = len(calls(log))
    assert main(["active", str(config), "--no-progress", "--resume"]) == 0
    assert len(calls(log)) == n_calls
    assert main(["active", str(config), "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_an_oracle_that_fails_everywhere_stops_the_loop_naming_its_error(tmp_path, capsys):
    oracle = "{factory: 'active_oracles:failing_emt'}"
    config = write_setup(tmp_path, oracle=oracle, executor=DASK, iterations=1)
    assert main(["active", str(config), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "the oracle failed on every structure of iteration 0" in out
    assert "RuntimeError: license server not reachable (after 3 tries)" in out
    assert str(tmp_path / "run" / "iteration_000" / "failures") in out
    assert "--resume" in out
    # the oracle mended, the run resumes: the failed structures are labelled, the loop goes on
    log = tmp_path / "oracle.log"
    config = write_setup(tmp_path, oracle=counting_oracle(log), executor=DASK, iterations=1)
    assert main(["active", str(config), "--no-progress", "--resume"]) == 0
    rows = json.loads((tmp_path / "run" / "report.json").read_text())["rows"]
    assert [(row["labelled"], row["failed"]) for row in rows][0] == (9, 0)
    assert len(rows) == 2 and not list((tmp_path / "run/iteration_000/failures").glob("*"))
    assert "reached the iteration limit" in capsys.readouterr().out


def test_kill_during_labelling_then_resume_relabels_nothing(tmp_path, monkeypatch):
    log = tmp_path / "oracle.log"
    config = write_setup(tmp_path, oracle=counting_oracle(log), executor=DASK, iterations=1)
    written = []
    original = LabelStore.write

    def write_then_die(self, key, atoms, result):
        original(self, key, atoms, result)
        written.append(key)
        if len(written) == 11:  # iteration 0 writes 9, so this is in iteration 1
            raise KeyboardInterrupt

    monkeypatch.setattr(LabelStore, "write", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_active(load_active_config(config), plot=False)
    monkeypatch.undo()
    run = tmp_path / "run"
    done_before = labelled_fingerprints(run)
    assert len(done_before) == 11
    n_before = len(calls(log))
    # as if killed just after the selection was written, before the state was saved:
    # the selection on disk is kept, nothing is explored again
    state_file = run / "state.json"
    state = json.loads(state_file.read_text())
    assert state["iterations"][1]["phase"] == "label"
    state["iterations"][1]["phase"] = "explore"
    state_file.write_text(json.dumps(state))
    selected_before = (run / "iteration_001/selected.xyz").read_bytes()
    monkeypatch.setattr("mlpot.active.loop.explore", lambda *a, **k: pytest.fail("explored"))
    state = run_active(load_active_config(config), resume=True, plot=False)
    assert state.stop_reason == "reached the iteration limit"
    new_calls = calls(log)[n_before:]
    assert new_calls and not done_before & set(new_calls)
    assert (run / "iteration_001/selected.xyz").read_bytes() == selected_before
    selected = read(run / "iteration_001/selected.xyz", ":")
    assert len(list((run / "iteration_001/labels").glob("*.xyz"))) == len(selected)


def test_kill_during_training_then_resume_skips_finished_members(tmp_path, monkeypatch):
    import mlpot.uncertainty.train_ensemble as train_ensemble
    from mlpot.training.trainer import Trainer

    config = write_setup(tmp_path, executor=DASK, iterations=1)
    trained = []
    train = train_ensemble.train_member

    def recording(config, **kwargs):
        trained.append((config.output.parent.parent.name, config.output.name, kwargs["resume"]))
        return train(config, **kwargs)

    checkpoints = []
    checkpoint = Trainer._checkpoint

    def checkpoint_then_die(self):
        checkpoint(self)
        checkpoints.append(self.epoch)
        if len(checkpoints) == 14:  # 4 epochs x 3 members, then epoch 2 of the 4th member
            raise KeyboardInterrupt

    monkeypatch.setattr(train_ensemble, "train_member", recording)
    monkeypatch.setattr(Trainer, "_checkpoint", checkpoint_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_active(load_active_config(config), plot=False)
    run = tmp_path / "run"
    finished = (run / "iteration_001/ensemble/member_0/model.pt").read_bytes()
    monkeypatch.setattr(Trainer, "_checkpoint", checkpoint)
    trained.clear()
    run_active(load_active_config(config), resume=True, plot=False)
    assert trained == [("iteration_001", "member_1", True)]
    assert (run / "iteration_001/ensemble/member_0/model.pt").read_bytes() == finished
    log = (run / "iteration_001/ensemble/member_1/log.csv").read_text().splitlines()
    assert [int(line.split(",")[0]) for line in log[1:]] == [1, 2, 3, 4]
    report = json.loads((run / "report.json").read_text())
    assert np.isfinite(report["rows"][1]["holdout_forces_rmse"])
