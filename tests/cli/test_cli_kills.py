"""What a kill -9 leaves behind: whole trajectory frames, and temporary files that the next
write of the same file removes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ase.io import read

from mlpot.files import atomic_path

MD_SCRIPT = """
import sys
from ase.build import bulk
from ase.calculators.emt import EMT
from mlpot.simulation.md import run_md

atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(5)
run_md(atoms, EMT(), ensemble="nvt", temperature_K=300, timestep_fs=1.0, steps=100000,
       trajectory=sys.argv[1], interval=1, seed=1, progress=False)
"""


def _kill_when(process: subprocess.Popen, condition, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def test_a_killed_md_run_leaves_whole_xyz_frames(tmp_path):
    path = tmp_path / "md.xyz"
    src = str(Path(__file__).parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", MD_SCRIPT, str(path)], env=env)
    _kill_when(process, lambda: path.exists() and path.stat().st_size > 200_000)
    frames = read(path, ":")  # a half-written last frame would make this raise
    assert len(frames) >= 2 and all(len(atoms) == 500 for atoms in frames)


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "latest.pt"
    writer = subprocess.Popen([
        sys.executable, "-c",
        "import os, sys, time; from pathlib import Path; "
        "Path(sys.argv[1], f'.latest.tmp{os.getpid()}.pt').write_bytes(b'half'); "
        "time.sleep(60)", str(tmp_path)])
    stale = tmp_path / f".latest.tmp{writer.pid}.pt"
    _kill_when(writer, stale.exists)
    alive = tmp_path / f".latest.tmp{os.getppid()}.pt"  # a writer that is still running
    alive.write_bytes(b"busy")
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"whole")
    assert target.read_bytes() == b"whole"
    assert not stale.exists() and alive.exists()
