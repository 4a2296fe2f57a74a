"""`mlpot md MODEL [MODEL ...] STRUCTURE`: molecular dynamics with a trained model or a
committee of models (uncertainty logged, thresholds can warn or stop the run)."""

from __future__ import annotations

import argparse
from typing import Any

from mlpot.cli.fidelity import add_fidelity_argument
from mlpot.cli.units import add_units_argument, file_units

DESCRIPTION = """Run NVE (velocity Verlet), NVT (Langevin) or NPT (MTK, isotropic) molecular
dynamics from STRUCTURE (any file ASE reads; the last frame if it holds several). Several
models (or an ensemble.json) run as a committee: the mean drives the dynamics and the log gets
energy_std (eV) and max_force_deviation (eV/Å); models that store their descriptor ranges add
extrapolating_atoms. Thresholds on these are checked at every logged step."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "md", help="molecular dynamics with a model", description=DESCRIPTION
    )
    parser.add_argument("model", metavar="MODEL",
                        help="trained model file (or an ensemble.json: a committee)")
    parser.add_argument("more_models", metavar="MODEL", nargs="*",
                        help="further models: all of them run as a committee")
    parser.add_argument("structure", metavar="STRUCTURE", help="starting structure file")
    parser.add_argument("--ensemble", choices=("nve", "nvt", "npt"), default="nvt",
                        help="default: nvt")
    parser.add_argument("--temperature", type=float, default=300.0, metavar="K",
                        help="target and initial temperature, K (default: 300)")
    parser.add_argument("--timestep", type=float, default=1.0, metavar="FS",
                        help="fs (default: 1)")
    parser.add_argument("--steps", type=int, default=1000, help="default: 1000")
    parser.add_argument("--pressure", type=float, default=0.0, metavar="GPA",
                        help="NPT pressure, GPa (default: 0)")
    parser.add_argument("--friction", type=float, default=0.01, metavar="PER_FS",
                        help="Langevin friction for NVT, 1/fs (default: 0.01)")
    parser.add_argument("--taut", type=float, default=100.0, metavar="FS",
                        help="NPT thermostat time constant, fs (default: 100)")
    parser.add_argument("--taup", type=float, default=1000.0, metavar="FS",
                        help="NPT barostat time constant, fs (default: 1000)")
    parser.add_argument("--trajectory", metavar="PATH", help="write frames to .traj or .xyz")
    parser.add_argument("--log", metavar="PATH", help="write a CSV log")
    parser.add_argument("--interval", type=int, default=10,
                        help="steps between log and trajectory entries (default: 10)")
    parser.add_argument("--seed", type=int, help="random seed for velocities and thermostat")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--max-force-deviation", type=float, metavar="EV_PER_A",
                        help="threshold on the committee's max force deviation, eV/Å")
    parser.add_argument("--max-energy-std", type=float, metavar="EV",
                        help="threshold on energy_std (a committee's or a GAP's), eV")
    parser.add_argument("--max-extrapolating", type=int, metavar="N",
                        help="threshold on the number of extrapolating atoms")
    parser.add_argument("--on-threshold", choices=("warn", "stop"), default="warn",
                        help="what a broken threshold does (default: warn)")
    parser.add_argument("--engine", choices=("mlpot", "lammps"), default="mlpot",
                        help="lammps: run in LAMMPS with pair_style mlpot on --ranks MPI ranks, "
                             "in --lammps-dir (default: mlpot)")
    parser.add_argument("--ranks", type=int, default=1, help="MPI ranks of LAMMPS (default: 1)")
    parser.add_argument("--lammps-dir", default="lammps_md", metavar="DIR",
                        help="where LAMMPS's input and output go (default: lammps_md)")
    add_units_argument(parser)
    add_fidelity_argument(parser)
    return parser


def run(args: argparse.Namespace) -> None:
    import sys

    from mlpot.calculators import load_calculator_or_ensemble
    from mlpot.errors import MlpotError
    from mlpot.simulation.md import run_md

    if args.engine == "lammps":
        from mlpot.interop.lammps_plugin.md import run_from_cli

        return run_from_cli(args, _read_structure(args.structure))
    atoms = _read_structure(args.structure)
    thresholds = _thresholds(args)
    calc = load_calculator_or_ensemble(
        [args.model, *args.more_models], file_units(args.units), args.fidelity
    )
    result = run_md(
        atoms, calc, ensemble=args.ensemble, temperature_K=args.temperature,
        timestep_fs=args.timestep, steps=args.steps, pressure_GPa=args.pressure,
        friction_per_fs=args.friction, taut_fs=args.taut, taup_fs=args.taup,
        trajectory=args.trajectory, log=args.log, interval=args.interval, seed=args.seed,
        progress=not args.no_progress, thresholds=thresholds,
    )
    last = {name: values[-1] for name, values in result.log.items()}
    print(f"step {last['step']}: epot {last['epot_eV']:.6g} eV, "
          f"T {last['temperature_K']:.1f} K, V {last['volume_A3']:.6g} Å^3, "
          f"p {last['pressure_GPa']:.4g} GPa")
    if result.warnings:
        print(f"{len(result.warnings)} of {result.n_records} records broke a threshold, the "
              f"first at {result.warnings[0]}", file=sys.stderr)
    if result.stopped:
        raise MlpotError(f"stopped at {result.stopped} (--on-threshold stop); the log and "
                         "trajectory hold the run up to there")


def _thresholds(args: argparse.Namespace) -> Any:
    """The Thresholds the options ask for, or None."""
    limits = (args.max_force_deviation, args.max_extrapolating, args.max_energy_std)
    if all(limit is None for limit in limits):
        return None
    from mlpot.uncertainty.monitor import Thresholds

    return Thresholds(args.max_force_deviation, args.max_extrapolating, args.on_threshold,
                      args.max_energy_std)


def _read_structure(path: str) -> Any:
    from pathlib import Path

    import ase.io

    from mlpot.data.sanity import check_structure
    from mlpot.errors import MlpotError

    if not Path(path).is_file():
        raise MlpotError(f"{path}: no such file: give the starting structure")
    try:
        atoms = ase.io.read(path)
    except Exception as exc:  # ASE's readers raise many kinds
        raise MlpotError(f"{path}: cannot read a structure: {exc}") from exc
    check_structure(atoms, path)
    return atoms
