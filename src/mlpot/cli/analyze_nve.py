"""`mlpot analyze nve MODEL STRUCTURE`: total-energy conservation in NVE molecular dynamics."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Run NVE (velocity Verlet) from STRUCTURE with velocities at --temperature
and report the total-energy drift (eV/atom/ps, linear fit), its fluctuation (eV/atom) and
the mean temperature, flagging a drift above --threshold, against --reference (the same run
with a reference calculator, or numbers); writes nve.json, nve.csv and nve.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_check_arguments
    from mlpot.analysis.properties.nve import DRIFT_THRESHOLD

    parser = subparsers.add_parser("nve", help="NVE energy conservation", description=DESCRIPTION)
    add_check_arguments(parser)
    parser.add_argument(
        "--temperature",
        type=float,
        default=300.0,
        metavar="K",
        help="initial temperature, K (default: 300)",
    )
    parser.add_argument("--timestep", type=float, default=1.0, metavar="FS", help="fs (default: 1)")
    parser.add_argument("--steps", type=int, default=2000, help="default: 2000")
    parser.add_argument(
        "--interval", type=int, default=10, help="steps between logged energies (default: 10)"
    )
    parser.add_argument("--seed", type=int, default=0, help="velocity seed (default: 0)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DRIFT_THRESHOLD,
        metavar="EV_PER_ATOM_PS",
        help=f"drift flagged above this, eV/atom/ps (default: {DRIFT_THRESHOLD})",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.properties.command_line import run_check
    from mlpot.analysis.properties.files import read_structure
    from mlpot.analysis.properties.nve import nve_energy_conservation, plot_nve

    atoms = read_structure(args.structure)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    logs = iter([Path(args.out) / "nve.csv", Path(args.out) / "nve_reference.csv"])

    def compute(calc):
        return nve_energy_conservation(
            atoms,
            calc,
            temperature_K=args.temperature,
            timestep_fs=args.timestep,
            steps=args.steps,
            interval=args.interval,
            seed=args.seed,
            threshold=args.threshold,
            log=next(logs),
            progress=not args.no_progress,
        )

    run_check(args, "nve", compute, plot_nve)
