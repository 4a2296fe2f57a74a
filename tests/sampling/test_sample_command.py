"""`mlpot sample`: every sampler run with EMT, provenance, reproducibility, the diversity
pick, continuing after a kill -9, and clear errors for bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from ase.io import read, write
from physics_helpers import bulk_alni

from mlpot.cli.main import main
from mlpot.models.serialization import save_model

SAMPLERS = """
  - {kind: md, temperatures: [300, 900], steps: 30, interval: 10}
  - {kind: md, name: npt, temperatures: [600], pressures: [2.0], steps: 20, interval: 10}
  - {kind: metadynamics, temperatures: [600], steps: 30, interval: 10, height: 0.2, stride: 5}
  - {kind: metadynamics, cv: atomic_descriptor, temperatures: [600], steps: 20, interval: 10}
  - {kind: metadynamics, name: metad-npt, temperatures: [600], pressures: [3.0], steps: 20,
     interval: 10, height: 0.2, stride: 5}
  - {kind: guided, pairs: [[0, 1]], target: 3.6, rate: 0.05, kappa: 20.0,
     temperatures: [300], steps: 30, interval: 10, timestep: 1.0}
  - {kind: normal_modes, temperatures: [300], samples: 3}
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, alni_model):
    """A directory with model.pt (the random-weight Al-Ni model) and two Ni3Al supercells
    (32 and 16 atoms)."""
    root = tmp_path_factory.mktemp("sample_inputs")
    save_model(alni_model, root / "model.pt")
    write(root / "start.xyz", [bulk_alni(0).repeat(2), bulk_alni(1).repeat((2, 2, 1))])
    return root


def config(root: Path, output: str, samplers: str = SAMPLERS, budget: int = 5,
           extra: str = "descriptor_model: model.pt") -> Path:
    path = root / f"{output}.yaml"
    path.write_text(
        f"output: {output}\nstructures: [start.xyz]\ncalculator: {{calculator: emt}}\n{extra}\n"
        f"samplers:{samplers}select: {{budget: {budget}}}\nseed: 3\n"
    )
    return path


@pytest.fixture(scope="module")
def finished(inputs):
    """One complete run of every sampler kind: its output directory."""
    assert main(["sample", str(config(inputs, "full")), "--no-progress"]) == 0
    return inputs / "full"


def test_every_sampler_writes_structures_with_provenance(finished):
    samples = read(finished / "samples.xyz", ":")
    counts = {}
    for atoms in samples:
        info = atoms.info
        assert {"sampler", "kind", "source", "run", "seed", "strain", "temperature",
                "step"} <= info.keys()
        assert info["source"].endswith(("start.xyz:0", "start.xyz:1"))
        assert atoms.calc is None  # unlabelled
        counts[info["sampler"]] = counts.get(info["sampler"], 0) + 1
    # 2 structures x grid x (steps / interval) records (step 0 is the start, not a sample)
    assert counts == {"md0": 2 * 2 * 3, "npt": 2 * 2, "metadynamics2": 2 * 3,
                      "metadynamics3": 2 * 2, "metad-npt": 2 * 2, "guided5": 2 * 3,
                      "normal_modes6": 2 * 3}
    assert all(a.info["pressure"] == 2.0 for a in samples if a.info["sampler"] == "npt")
    assert all(a.info["pressure"] == 3.0 for a in samples if a.info["sampler"] == "metad-npt")
    assert all(0 <= a.info["step"] < 3 for a in samples if a.info["kind"] == "normal_modes")


def test_npt_runs_change_the_cell_and_nvt_runs_keep_it(inputs, finished):
    """Plain and metadynamics NPT runs move the cell (the barostat sees the bias's stress
    too); NVT runs keep the starting cell."""
    starts = [a.cell.array for a in read(inputs / "start.xyz", ":")]
    for atoms in read(finished / "samples.xyz", ":"):
        if atoms.info["kind"] == "normal_modes":
            continue
        start = starts[int(atoms.info["source"][-1])]
        moved = not np.allclose(atoms.cell.array, start, rtol=0, atol=1e-9)
        assert moved == ("pressure" in atoms.info), atoms.info


def test_guided_md_pulls_the_pair_apart(finished):
    """d(0, 1) starts near 2.5 Å; the restraint centre reaches the 3.6 Å target by step 22
    and pulls the pair more than 0.5 Å apart."""
    guided = [a for a in read(finished / "samples.xyz", ":") if a.info["kind"] == "guided"]
    last = [a for a in guided if a.info["step"] == 30]
    assert len(last) == 2
    for atoms in last:
        assert atoms.get_distance(0, 1, mic=True) > 3.0  # thermal motion: about 0.1 Å


def test_selection_is_diverse_and_points_into_the_pool(finished):
    samples = read(finished / "samples.xyz", ":")
    selected = read(finished / "selected.xyz", ":")
    report = json.loads((finished / "report.json").read_text())
    assert len(selected) == 5 == report["selection"]["selected"]
    indices = [a.info["pool_index"] for a in selected]
    assert len(set(indices)) == 5
    for atoms, k in zip(selected, indices, strict=True):
        assert np.array_equal(atoms.positions, samples[k].positions)
    assert sum(row["selected"] for row in report["samplers"].values()) == 5
    assert report["structures"] == len(samples) and report["runs_reused"] == 0
    assert report["selection"]["fill_distance"] > 0


def test_same_seed_same_structures_and_only_the_selection_reruns(inputs, finished):
    path = config(inputs, "full", budget=8)  # same output, another budget: runs are kept
    assert main(["sample", str(path), "--no-progress"]) == 0
    report = json.loads((finished / "report.json").read_text())
    assert report["runs_reused"] == report["runs"]
    assert len(read(finished / "selected.xyz", ":")) == 8
    samplers = "\n  - {kind: md, temperatures: [300, 900], steps: 30, interval: 10}\n"
    assert main(["sample", str(config(inputs, "again", samplers)), "--no-progress"]) == 0
    first = [a for a in read(finished / "samples.xyz", ":") if a.info["sampler"] == "md0"]
    again = read(inputs / "again" / "samples.xyz", ":")
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a.positions, b.positions) and a.info == b.info


def test_an_mlpot_model_drives_the_samplers_and_gives_the_descriptors(inputs):
    """calculator: {model: ...} without descriptor_model: the model's descriptors serve the
    descriptor CV and the selection."""
    path = inputs / "driven.yaml"
    path.write_text(
        "output: driven\nstructures: [start.xyz]\ncalculator: {model: [model.pt]}\n"
        "samplers:\n  - {kind: metadynamics, temperatures: [300], steps: 10, interval: 5,"
        " timestep: 0.5}\nselect: {budget: 2, method: cur}\n"
    )
    assert main(["sample", str(path), "--no-progress"]) == 0
    report = json.loads((inputs / "driven" / "report.json").read_text())
    assert report["structures"] == 4 and report["selection"]["selected"] == 2
    assert report["selection"]["method"] == "cur"


KILL_SAMPLERS = "\n  - {kind: md, temperatures: [300, 600, 900, 1200], steps: 60, interval: 10}\n"


def test_a_killed_run_continues_without_repeating_finished_runs(inputs):
    """kill -9 after some runs finished; the second call reuses them and the result equals
    an uninterrupted run's."""
    path = config(inputs, "killed", KILL_SAMPLERS)
    src = str(Path(__file__).parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "mlpot.cli.main", "sample", str(path), "--no-progress"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    runs = inputs / "killed" / "runs"
    end = time.monotonic() + 120
    while len(list(runs.glob("*.json"))) < 2 and time.monotonic() < end:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    done = len(list(runs.glob("*.json")))
    assert 2 <= done < 8, "the run finished before it was killed: make it longer"
    assert main(["sample", str(path), "--no-progress"]) == 0
    report = json.loads((inputs / "killed" / "report.json").read_text())
    assert report["runs"] == 8 and report["runs_reused"] == done
    reference = config(inputs, "whole", KILL_SAMPLERS)
    assert main(["sample", str(reference), "--no-progress"]) == 0
    killed = read(inputs / "killed" / "samples.xyz", ":")
    whole = read(inputs / "whole" / "samples.xyz", ":")
    assert len(killed) == len(whole) == 8 * 6
    assert all(np.array_equal(a.positions, b.positions) for a, b in zip(killed, whole,
                                                                        strict=True))


def test_bad_input_gives_one_clear_line(inputs, finished, capsys):
    metad = "\n  - {kind: metadynamics, temperatures: [300], steps: 10}\n"
    assert main(["sample", str(config(inputs, "nomodel", metad, extra="")), "--no-progress"]) == 2
    assert "descriptor_model" in capsys.readouterr().err
    # nothing ran: the same output takes the mended configuration
    assert main(["sample", str(config(inputs, "nomodel", metad)), "--no-progress"]) == 0
    md_only = "\n  - {kind: md, temperatures: [300], steps: 10}\n"
    missing = config(inputs, "missing", md_only)
    missing.write_text(missing.read_text().replace("start.xyz", "nothere.xyz"))
    assert main(["sample", str(missing), "--no-progress"]) == 2
    assert "nothere.xyz" in capsys.readouterr().err
    guided = "\n  - {kind: guided, pairs: [[0, 99]], target: 3.0, temperatures: [300], steps: 10}\n"
    assert main(["sample", str(config(inputs, "badpair", guided)), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "atom indices [99]" in err and "guided0" in err
    assert main(["sample", str(config(inputs, "full", md_only)), "--no-progress"]) == 2
    assert "another configuration" in capsys.readouterr().err
    unknown = "\n  - {kind: md, temperature: [300]}\n"
    assert main(["sample", str(config(inputs, "typo", unknown)), "--no-progress"]) == 2
    assert "temperature" in capsys.readouterr().err
