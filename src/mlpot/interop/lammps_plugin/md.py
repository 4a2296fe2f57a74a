"""`mlpot md MODEL START --engine lammps --ranks N`: the same run in LAMMPS with pair_style mlpot.

Writes, into one folder, the potential file (`mlpot.lammps`), the start structure
(`start.data`) and the input (`in.md`), then runs `mpirun -np N lmp -in in.md` there: the
input is a starting point for one's own runs (`mpirun -np N lmp -in in.md` reruns it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.errors import MlpotError
from mlpot.interop.lammps_plugin import FILE_NAME, write_potential
from mlpot.interop.lammps_plugin.build import build_plugin
from mlpot.interop.lammps_plugin.runner import MDSettings, md_input, run_lammps, thermo_table

INPUT = "in.md"
# LAMMPS thermo column -> (mlpot md log column, factor to mlpot's unit)
_LOG_COLUMNS = {
    "step": ("step", 1.0),
    "time": ("time_ps", 1.0),
    "poteng": ("epot_eV", 1.0),
    "kineng": ("ekin_eV", 1.0),
    "toteng": ("etot_eV", 1.0),
    "temp": ("temperature_K", 1.0),
    "volume": ("volume_A3", 1.0),
    "press": ("pressure_GPa", 1e-4),  # bar
}


@dataclass
class LammpsMD:
    folder: Path
    log: dict[str, np.ndarray]  # mlpot md's log columns, one entry per thermo line


def run_lammps_md(model, atoms: Atoms, settings: MDSettings, folder: Path, ranks: int = 1,
                  extrapolation: bool = False) -> LammpsMD:
    """Run MD of `atoms` with `model` in LAMMPS on `ranks` MPI ranks, in `folder`."""
    if settings.trajectory and Path(settings.trajectory).suffix != ".xyz":
        raise MlpotError("with --engine lammps the trajectory is written by LAMMPS as .xyz: "
                         "give a file name ending in .xyz")
    if settings.ensemble == "npt" and not atoms.pbc.all():
        raise MlpotError("NPT needs a cell periodic in all three directions")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    potential = write_potential(model, folder / FILE_NAME)[0]
    if settings.trajectory:
        settings = _with_trajectory(settings, folder)
    style = "extrapolation yes" if extrapolation else ""
    lines = md_input(build_plugin(), potential.name, atoms, model.elements, settings, folder,
                     style)
    log = run_lammps(folder, lines, ranks, name=INPUT)
    table = thermo_table(log)
    columns = {_LOG_COLUMNS[k][0]: v * _LOG_COLUMNS[k][1]
               for k, v in table.items() if k in _LOG_COLUMNS}
    if not atoms.pbc.all():  # LAMMPS's shrink-wrapped box: no volume, as in mlpot md
        columns["volume_A3"] = columns["pressure_GPa"] = np.full(len(columns["step"]), np.nan)
    return LammpsMD(folder, columns)


def _with_trajectory(settings: MDSettings, folder: Path) -> MDSettings:
    from dataclasses import replace

    return replace(settings, trajectory=str(Path(settings.trajectory).resolve()))


def write_log(path: str | Path, log: dict[str, np.ndarray]) -> None:
    """The thermo lines as a CSV file with mlpot md's column names."""
    names = list(log)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in zip(*(log[name] for name in names), strict=True):
            writer.writerow([int(v) if name == "step" else repr(float(v))
                             for name, v in zip(names, row, strict=True)])


def run_from_cli(args, atoms: Atoms) -> None:
    """`mlpot md ... --engine lammps`: the options of mlpot.cli.md."""
    from mlpot.cli.units import file_units
    from mlpot.interop.n2p2 import is_potential_dir
    from mlpot.interop.n2p2 import read_potential as read_n2p2
    from mlpot.models.serialization import load_model

    if args.more_models or Path(args.model).suffix == ".json":
        raise MlpotError("--engine lammps runs one model: committees run with --engine mlpot")
    if args.max_force_deviation is not None:
        raise MlpotError("--max-force-deviation needs a committee: use --engine mlpot")
    if args.ranks < 1:
        raise MlpotError(f"--ranks must be at least 1, got {args.ranks}")
    settings = MDSettings(
        ensemble=args.ensemble, temperature_K=args.temperature, timestep_fs=args.timestep,
        steps=args.steps, pressure_GPa=args.pressure, friction_per_fs=args.friction,
        taut_fs=args.taut, taup_fs=args.taup, interval=args.interval,
        seed=4928459 if args.seed is None else args.seed, trajectory=args.trajectory,
    )
    path = Path(args.model)
    model = read_n2p2(path, file_units(args.units)) if is_potential_dir(path) else load_model(path)
    model = model.at_fidelity(args.fidelity)
    result = run_lammps_md(model, atoms, settings, Path(args.lammps_dir), args.ranks,
                           extrapolation=args.max_extrapolating is not None)
    if args.log:
        write_log(args.log, result.log)
    last = {name: values[-1] for name, values in result.log.items()}
    print(f"step {int(last['step'])}: epot {last['epot_eV']:.6g} eV, "
          f"T {last['temperature_K']:.1f} K, V {last['volume_A3']:.6g} Å^3, "
          f"p {last['pressure_GPa']:.4g} GPa")
    print(f"LAMMPS ran in {result.folder}: rerun with "
          f"`cd {result.folder} && mpirun -np {args.ranks} lmp -in {INPUT}`")
