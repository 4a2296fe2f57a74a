"""`mlpot distill` end to end on tiny Al-Cu cells with EMT as the teacher: counts, report,
offsets against "DFT", resume of every stage without repeating finished work."""

from __future__ import annotations

import json

import numpy as np
import pytest
from active_oracles import calls, fingerprint
from ase.calculators.emt import EMT
from ase.io import read
from distill_setup import counting_teacher, write_setup

from mlpot.calculators import load_calculator
from mlpot.cli.main import main
from mlpot.distill.config import load_distill_config
from mlpot.distill.run import run_distill

# 3 structures + 1 substitution of each holding Al (2) = 5 compositions, x 2 strains x 2
# temperatures = 20 MD runs of 3 snapshots (steps 0, 5, 10); 3 x 2 temperatures x 2 modes
MD_RUNS, SNAPSHOTS, MODE_SAMPLES = 20, 3, 12


def test_distill_end_to_end(tmp_path, capsys):
    log = tmp_path / "teacher.log"
    config = write_setup(tmp_path, teacher=counting_teacher(log),
                         extra="dft: {test: [dft.xyz], offsets_from: [dft.xyz]}")
    assert main(["distill", str(config), "--no-progress"]) == 0
    run = tmp_path / "run"
    report = json.loads((run / "report.json").read_text())
    counts = report["counts"]
    assert counts["explored"] == MD_RUNS * SNAPSHOTS + MODE_SAMPLES
    assert len(list((run / "explore").glob("md_*.xyz"))) == MD_RUNS
    assert counts["candidates"] == 3 + counts["explored"] - counts["too_close"]
    assert counts["selected"] == 16 == counts["labelled"] + counts["failed"]
    assert (counts["training"], counts["holdout"]) == (12, 4)
    assert set(counts["seconds"]) >= {"explore", "select", "label", "train"}
    # the selection is diverse: no structure twice
    selected = read(run / "selected.xyz", ":")
    assert len({fingerprint(atoms) for atoms in selected}) == 16
    # held-out and training structures are teacher labelled and disjoint
    holdout, training = read(run / "holdout.xyz", ":"), read(run / "training_set.xyz", ":")
    assert not {fingerprint(a) for a in holdout} & {fingerprint(a) for a in training}
    for atoms in holdout:
        labelled = atoms.get_forces()
        atoms.calc = EMT()
        assert np.allclose(labelled, atoms.get_forces())
    errors = report["errors"]
    assert errors["holdout"]["overall"]["n_frames"] == 4
    assert errors["holdout"]["overall"]["forces"]["mae"] > 0
    # the teacher is the "DFT" up to a constant per element: the offsets find it exactly
    teacher = errors["dft_teacher"]
    assert teacher["energy_offsets"]["eV_per_atom"] == pytest.approx({"Al": 0.3, "Cu": -0.2})
    assert teacher["overall"]["energy"]["mae"] < 1e-6 and teacher["overall"]["forces"]["mae"] < 1e-6
    distilled = errors["dft_distilled"]
    assert distilled["overall"]["n_frames"] == 6 and "energy_offsets" in distilled
    assert (run / "eval/dft_distilled/parity.png").is_file()
    out = capsys.readouterr().out
    assert "distilled vs teacher (held-out teacher labels)" in out and "teacher vs DFT" in out
    # the model file is an mlpot model that predicts the holdout as the report says
    calc = load_calculator(run / "model/model.pt")
    assert np.isfinite(calc.get_potential_energy(holdout[0]))
    # a finished run resumes to nothing; starting over in the same place is refused
    n_calls = len(calls(log))
    assert main(["distill", str(config), "--no-progress", "--resume"]) == 0
    assert len(calls(log)) == n_calls
    assert main(["distill", str(config), "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_a_killed_exploration_resumes_at_the_first_missing_run(tmp_path, monkeypatch):
    import mlpot.distill.explore as explore

    config = write_setup(tmp_path)
    original, runs = explore.md_snapshots, []

    def snapshots_then_die(*args, **kwargs):
        if len(runs) == 7:
            raise KeyboardInterrupt
        runs.append(args[0].label)
        return original(*args, **kwargs)

    monkeypatch.setattr(explore, "md_snapshots", snapshots_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_distill(load_distill_config(config), plot=False)
    directory = tmp_path / "run" / "explore"
    first = {path.name: path.read_bytes() for path in directory.glob("md_*.xyz")}
    assert len(first) == 7
    resumed_runs = []
    monkeypatch.setattr(explore, "md_snapshots",
                        lambda *a, **k: resumed_runs.append(a[0].label) or original(*a, **k))
    report = run_distill(load_distill_config(config), resume=True, plot=False)
    assert len(resumed_runs) == MD_RUNS - 7
    assert {p.name: p.read_bytes() for p in directory.glob("md_*.xyz") if p.name in first} == first
    assert report["counts"]["explored"] == MD_RUNS * SNAPSHOTS + MODE_SAMPLES


def test_resumed_exploration_explores_what_an_uninterrupted_one_does(tmp_path):
    """Each run's random numbers depend on its index only: explore twice, compare."""
    from mlpot.distill.explore import ExploreFiles, explore_with_teacher

    cfg = load_distill_config(write_setup(tmp_path)).explore
    starts = read(tmp_path / "start.xyz", ":")
    whole = ExploreFiles(tmp_path / "whole")
    explore_with_teacher(starts, EMT(), cfg, whole, shortest=0.0)
    partial = ExploreFiles(tmp_path / "partial")
    explore_with_teacher(starts, EMT(), cfg, partial, shortest=0.0)
    for path in list(partial.root.glob("md_001*.xyz")):
        path.unlink()
    explore_with_teacher(starts, EMT(), cfg, partial, shortest=0.0)
    for a, b in zip(whole.explored(), partial.explored(), strict=True):
        assert np.allclose(a.positions, b.positions) and a.info["origin"] == b.info["origin"]
