"""Molecular dynamics with any ASE calculator: NVE, NVT (Langevin) and NPT (MTK).

Integrators are ASE's: VelocityVerlet (NVE), Langevin (NVT) and IsotropicMTKNPT
(NPT: Martyna-Tobias-Klein, Nose-Hoover chains on particles and on the isotropic
volume). Inputs are in fs, K and GPa; they are converted to ASE units here. Calculators that
report uncertainty add the columns of mlpot.uncertainty.monitor to the log, and thresholds on
them can warn or stop the run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
from ase import Atoms, units
from ase.calculators.calculator import BaseCalculator, PropertyNotImplementedError
from ase.md.md import MolecularDynamics
from tqdm.auto import tqdm

from mlpot.errors import MlpotError
from mlpot.uncertainty.monitor import Alarms, Thresholds, monitor_columns, monitor_values

Ensemble = Literal["nve", "nvt", "npt"]
EXPLOSION_FACTOR = 20.0  # a run hotter than this times its temperature (300 K at least) failed
Observer = Callable[[Atoms, int], None]

# Columns of the log CSV and of MDResult.log, one value per record.
LOG_COLUMNS = (
    "step",
    "time_ps",
    "epot_eV",
    "ekin_eV",
    "etot_eV",
    "temperature_K",
    "volume_A3",  # NaN (empty in the CSV) unless periodic along all three cell vectors
    "pressure_GPa",  # instantaneous, incl. the kinetic term; NaN (empty) without cell or stress
)  # followed by the monitor columns (mlpot.uncertainty.monitor) the calculator provides


@dataclass
class MDResult:
    """Outcome of run_md.

    atoms: the simulated structure at the last step (the same object that was passed in)
    log:   LOG_COLUMNS and monitor columns -> (n_records,) values, one record at step 0 and
           every interval
    stopped: why a threshold stopped the run ("step N: ..."), None if it ran all steps
    warnings: "step N: ..." for each record that broke a threshold with action "warn"
    """

    atoms: Atoms
    log: dict[str, np.ndarray]
    stopped: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_records(self) -> int:
        return len(self.log["step"])


def run_md(
    atoms: Atoms,
    calc: BaseCalculator,
    *,
    ensemble: Ensemble,
    temperature_K: float,
    timestep_fs: float,
    steps: int,
    pressure_GPa: float = 0.0,
    friction_per_fs: float = 0.01,
    taut_fs: float = 100.0,
    taup_fs: float = 1000.0,
    trajectory: str | PathLike | None = None,
    log: str | PathLike | None = None,
    interval: int = 10,
    seed: int | None = None,
    progress: bool = True,
    observers: Sequence[Observer] = (),
    thresholds: Thresholds | None = None,
    step_observers: Sequence[Callable[[], None]] = (),
) -> MDResult:
    """Run steps of MD on atoms (modified in place) and return the logged records.

    Velocities are drawn from a Maxwell-Boltzmann distribution at temperature_K (seeded
    by seed) with zero total momentum. ensemble "nvt" uses a Langevin thermostat with
    friction_per_fs (1/fs); "npt" a Nose-Hoover chain thermostat (taut_fs) and isotropic
    barostat (taup_fs) at pressure_GPa (positive = compression), and needs a periodic cell
    and a calculator with stress. Every interval steps (and at step 0) a record is logged,
    the structure is appended to trajectory (.traj or .xyz/.extxyz), and each observer is
    called as observer(atoms, step); each of step_observers is called after every step
    (a bias that changes as the run goes, e.g. BiasedCalculator.observe). thresholds are
    checked at each record: "warn" prints and lists the record in MDResult.warnings, "stop"
    ends the run after that record (its structure is in the trajectory) and says why in
    MDResult.stopped.
    """
    _check_settings(atoms, calc, ensemble, temperature_K, timestep_fs, steps, interval)
    if thresholds is not None:
        thresholds.check_calculator(calc)
    monitored = monitor_columns(calc)
    columns = LOG_COLUMNS + monitored
    if trajectory is not None:
        _trajectory_kind(trajectory)
    atoms.calc = calc
    _initial_velocities(atoms, temperature_K, seed)
    dyn = _integrator(atoms, ensemble, temperature_K, timestep_fs, pressure_GPa,
                      friction_per_fs, taut_fs, taup_fs, seed)
    records: list[tuple[float, ...]] = []
    alarms = Alarms(thresholds, columns)
    with ExitStack() as stack:
        write_row = _open_log(stack, log, columns)
        if trajectory is not None:
            dyn.attach(_open_trajectory(stack, trajectory, atoms), interval=interval)

        def record() -> None:
            row = _record(atoms, dyn.nsteps, timestep_fs, explosion_K(temperature_K))
            row += monitor_values(atoms, monitored)
            records.append(row)
            write_row(row)
            alarms.check(row)

        for step_observer in step_observers:
            dyn.attach(lambda obs=step_observer: dyn.nsteps > 0 and obs(), interval=1)
        dyn.attach(record, interval=interval)
        for observer in observers:
            dyn.attach(lambda obs=observer: obs(atoms, dyn.nsteps), interval=interval)
        bar = stack.enter_context(tqdm(total=steps, desc=f"md {ensemble}", disable=not progress))
        dyn.attach(lambda: bar.update(dyn.nsteps - bar.n), interval=1)
        for _ in dyn.irun(steps):
            if alarms.stopped:
                break
    table = np.array(records, dtype=float).reshape(-1, len(columns))
    log_columns = {name: table[:, i] for i, name in enumerate(columns)}
    log_columns["step"] = log_columns["step"].astype(int)
    return MDResult(atoms, log_columns, alarms.stopped, alarms.warnings)


def _check_settings(
    atoms: Atoms,
    calc: BaseCalculator,
    ensemble: str,
    temperature_K: float,
    timestep_fs: float,
    steps: int,
    interval: int,
) -> None:
    if ensemble not in ("nve", "nvt", "npt"):
        raise MlpotError(f"unknown ensemble {ensemble!r}: use 'nve', 'nvt' or 'npt'")
    if not timestep_fs > 0:
        raise MlpotError(f"timestep must be positive, got {timestep_fs} fs")
    if temperature_K < 0:
        raise MlpotError(f"temperature must be >= 0 K, got {temperature_K} K")
    if steps < 0 or interval < 1:
        raise MlpotError(f"need steps >= 0 and interval >= 1, got {steps} and {interval}")
    if ensemble == "npt":
        if not np.all(atoms.pbc) or atoms.cell.rank < 3:
            raise MlpotError(
                "NPT needs a structure periodic along three cell vectors; this one has "
                f"pbc={atoms.pbc.tolist()}: use nvt or nve, or give it a periodic cell"
            )
        implemented = getattr(calc, "implemented_properties", ("stress",))
        if "stress" not in implemented:
            raise MlpotError(
                f"NPT needs stress, which {type(calc).__name__} does not compute: "
                "use nvt or nve, or a model with stress"
            )


def _initial_velocities(atoms: Atoms, temperature_K: float, seed: int | None) -> None:
    from ase.md.velocitydistribution import Stationary

    try:
        from ase.md.velocitydistribution import thermalize_momenta
    except ImportError:  # ase < 3.29
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution as thermalize_momenta

    thermalize_momenta(atoms, temperature_K=temperature_K, rng=np.random.default_rng(seed))
    Stationary(atoms)


def _integrator(
    atoms: Atoms,
    ensemble: str,
    temperature_K: float,
    timestep_fs: float,
    pressure_GPa: float,
    friction_per_fs: float,
    taut_fs: float,
    taup_fs: float,
    seed: int | None,
) -> MolecularDynamics:
    timestep = timestep_fs * units.fs
    if ensemble == "nve":
        from ase.md.verlet import VelocityVerlet

        return VelocityVerlet(atoms, timestep=timestep)
    if ensemble == "nvt":
        from ase.md.langevin import Langevin

        # a different stream from the velocities' (same seed), reproducible per seed;
        # fixcm=False: ASE's centre-of-mass fixing biases the NVT distribution
        rng = np.random.default_rng(None if seed is None else [seed, 1])
        return Langevin(atoms, timestep=timestep, temperature_K=temperature_K,
                        friction=friction_per_fs / units.fs, fixcm=False, rng=rng)
    try:
        from ase.md.nose_hoover_chain import IsotropicMTKNPT
    except ImportError as exc:
        raise MlpotError("NPT needs ase.md.nose_hoover_chain.IsotropicMTKNPT, which this "
                         "ASE lacks: pip install --upgrade ase") from exc
    return IsotropicMTKNPT(atoms, timestep=timestep, temperature_K=temperature_K,
                           pressure_au=pressure_GPa * units.GPa,
                           tdamp=taut_fs * units.fs, pdamp=taup_fs * units.fs)


def _record(atoms: Atoms, step: int, timestep_fs: float, limit_K: float) -> tuple[float, ...]:
    """One log row in LOG_COLUMNS order; raises if the energy is no longer finite or the
    temperature is above limit_K (the run exploded)."""
    epot = float(atoms.get_potential_energy())
    if not np.isfinite(epot):
        raise MlpotError(
            f"step {step}: potential energy is {epot}: the simulation became unstable; "
            "try a smaller timestep or check the starting structure"
        )
    temperature = float(atoms.get_temperature())
    if temperature > limit_K:
        raise MlpotError(
            f"step {step}: temperature {temperature:.3g} K, above {limit_K:.3g} K: the simulation "
            "exploded (the log and trajectory hold it up to the last record before); try a "
            "smaller timestep, check the starting structure, or the model outside its data"
        )
    ekin = float(atoms.get_kinetic_energy())
    volume, pressure = _volume_pressure(atoms)
    return (step, step * timestep_fs / 1000.0, epot, ekin, epot + ekin,
            temperature, volume, pressure)


def explosion_K(temperature_K: float) -> float:
    """The temperature (K) above which a run at temperature_K counts as exploded."""
    return EXPLOSION_FACTOR * max(temperature_K, 300.0)


def _volume_pressure(atoms: Atoms) -> tuple[float, float]:
    """Cell volume in Å^3 and pressure in GPa (-trace(stress)/3 with the kinetic term)."""
    if not np.all(atoms.pbc) or atoms.cell.rank < 3:
        return float("nan"), float("nan")
    try:
        stress = atoms.get_stress(voigt=True, include_ideal_gas=True)
    except PropertyNotImplementedError:
        return float(atoms.get_volume()), float("nan")
    return float(atoms.get_volume()), float(-np.mean(stress[:3]) / units.GPa)


def _open_log(
    stack: ExitStack, path: str | PathLike | None, columns: tuple[str, ...] = LOG_COLUMNS
) -> Callable[[tuple], None]:
    """A function writing one CSV row per record (a no-op without a path)."""
    if path is None:
        return lambda row: None
    handle = stack.enter_context(open(path, "w", newline=""))
    writer = csv.writer(handle)
    writer.writerow(columns)

    def write_row(row: tuple) -> None:  # NaN ("no value") as an empty cell
        writer.writerow([int(row[0])] + [f"{v:.10g}" if np.isfinite(v) else "" for v in row[1:]])
        handle.flush()

    return write_row


def _open_trajectory(
    stack: ExitStack, path: str | PathLike, atoms: Atoms
) -> Callable[[], None]:
    """A function appending the current structure to an ASE .traj or an extended XYZ file.
    An extended XYZ frame is formatted first and written with one call, then flushed, so a
    killed run leaves whole frames (.traj files are safe by ASE's design)."""
    if _trajectory_kind(path) == "traj":
        from ase.io.trajectory import Trajectory

        traj = stack.enter_context(Trajectory(path, "w", atoms))
        return traj.write
    from ase.io import write

    handle = stack.enter_context(open(path, "w"))

    def append() -> None:
        text = io.StringIO()
        write(text, atoms, format="extxyz")
        handle.write(text.getvalue())
        handle.flush()

    return append


def _trajectory_kind(path: str | PathLike) -> str:
    """"traj" or "extxyz" from the file extension; anything else is an error."""
    suffix = Path(path).suffix.lower()
    if suffix in (".traj", ".xyz", ".extxyz"):
        return "traj" if suffix == ".traj" else "extxyz"
    raise MlpotError(
        f"trajectory {path}: unsupported extension {suffix!r}: use .traj, .xyz or .extxyz"
    )
