"""A real SIGKILL of `mlpot distill` while the teacher labels: the labels written so far are
kept, and --resume labels only the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from active_oracles import calls, fingerprint
from ase.io import read
from distill_setup import counting_teacher, write_setup

from mlpot.distill.config import load_distill_config
from mlpot.distill.run import run_distill

HERE = Path(__file__).parent
SCRIPT = "import sys; from mlpot.cli.main import main; sys.exit(main(sys.argv[1:]))"
# a short exploration: 3 MD runs of 11 teacher calls, no substitutions or normal modes
SHORT = {
    "temperatures: [600, 1200]": "temperatures: [600]",
    "strains: [-0.02, 0.02]": "strains: [0.0]",
    "substitutions: [{replace: Al, by: Cu, fraction: 0.25}]": "substitutions: []",
    "normal_modes: {samples: 2}": "normal_modes: {samples: 0}",
}


def _wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_sigkill_while_labelling_then_resume_relabels_nothing(tmp_path):
    log = tmp_path / "teacher.log"
    config = write_setup(tmp_path, teacher=counting_teacher(log, seconds=0.4), budget=10)
    text = config.read_text()
    for old, new in SHORT.items():
        text = text.replace(old, new)
    config.write_text(text)
    labels = tmp_path / "run" / "labels"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE.parents[1] / "src"), str(HERE.parent / "active"), str(HERE),
         os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "distill", str(config), "--no-progress", "--no-plot"],
        env=env, cwd=tmp_path)
    try:
        assert _wait_for(lambda: len(list(labels.glob("*.xyz"))) >= 3, 300), "never labelled"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    # the orphaned workers finish the label they hold, write it and exit
    time.sleep(2.0)
    done_before = {fingerprint(a) for path in labels.glob("*.xyz") for a in read(path, ":")}
    assert 3 <= len(done_before) < 9
    n_before = len(calls(log))
    report = run_distill(load_distill_config(config), resume=True, progress=False, plot=False)
    new_calls = calls(log)[n_before:]
    # 12 candidates, of which the 3 MD snapshots at step 0 repeat the starting structures
    selected = read(tmp_path / "run" / "selected.xyz", ":")
    assert len(selected) == 9
    assert len(new_calls) == len(selected) - len(done_before)
    assert not done_before & set(new_calls)
    assert report["counts"]["labelled"] == 9 and report["counts"]["failed"] == 0
    assert (tmp_path / "run" / "model" / "model.pt").is_file()
