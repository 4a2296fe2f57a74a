"""Labelling workers die with the process that started them (a real SIGKILL or SIGTERM of a
child process), finish and keep the label they were computing, and start no queued one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

LABEL_SCRIPT = """
import sys
from pathlib import Path
from ase.build import bulk
from mlpot.active.config import ExecutorConfig, OracleConfig
from mlpot.active.label import LabelStore, label_all

root = Path(sys.argv[1])
images = [bulk("Cu", "fcc", a=3.5 + 0.02 * i) for i in range(8)]
oracle = OracleConfig(factory="active_oracles:slow_emt",
                      kwargs={"log": str(root / "calls.log"), "seconds": 2.0})
label_all(images, oracle, ExecutorConfig(kind="process", workers=2), LabelStore(root),
          root / "work")
"""


def _wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _calls(root: Path) -> list[str]:
    log = root / "calls.log"
    return log.read_text().split() if log.exists() else []


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_parent_and_keep_their_labels(tmp_path, signal_number):
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(here.parents[1] / "src"), str(here), os.environ.get("PYTHONPATH", "")])}
    parent = subprocess.Popen([sys.executable, "-c", LABEL_SCRIPT, str(tmp_path)], env=env)
    workers: list[psutil.Process] = []
    try:
        assert _wait_for(lambda: len(_calls(tmp_path)) >= 2, 120), "the oracle never ran"
        workers = psutil.Process(parent.pid).children(recursive=True)
        os.kill(parent.pid, signal_number)
        parent.wait(10)
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 20), (
            "workers outlived their parent")
    finally:
        if parent.poll() is None:
            parent.kill()
        for worker in workers:  # leave nothing behind when the test fails
            if _alive(worker):
                worker.kill()
    labels = sorted((tmp_path / "labels").glob("*.xyz"))
    # the two labels being computed at the kill are kept; none of the 6 queued was started
    assert len(_calls(tmp_path)) == 2
    assert len(labels) == 2
