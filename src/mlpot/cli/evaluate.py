"""`mlpot evaluate MODEL DATA...`: errors of a model on labelled data, with a parity plot."""

from __future__ import annotations

import argparse
from typing import Any

from mlpot.cli.units import add_units_argument, file_units

DESCRIPTION = """Predict energy, forces and stress of every frame in DATA with MODEL; print
MAE/RMSE overall and per group, and write errors.json and parity.png into --out.
MODEL is a model file, or the ensemble.json of `mlpot ensemble` (the members' mean is judged).
DATA entries are files, optionally with a frame slice: "OUTCAR 10:100:5"."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate", help="errors of a model on labelled data", description=DESCRIPTION
    )
    parser.add_argument(
        "model", metavar="MODEL", help="trained model file, or an ensemble's ensemble.json"
    )
    parser.add_argument("data", metavar="DATA", nargs="+", help="data entries to evaluate on")
    parser.add_argument("--out", default=".", metavar="DIR",
                        help="directory for errors.json and parity.png (default: .)")
    parser.add_argument("--no-plot", action="store_true", help="do not draw parity.png")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_units_argument(parser)
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.evaluate import evaluate_model, require_plotting
    from mlpot.calculators import load_calculator_or_ensemble
    from mlpot.data import read_frames
    from mlpot.data.screening import warn_about_data
    from mlpot.errors import MlpotError

    if not args.no_plot:
        require_plotting()
    calc = load_calculator_or_ensemble([args.model], file_units(args.units))
    # energy-only frames are evaluated too (their forces are left out of the force errors)
    frames = [frame for entry in args.data for frame in read_frames(entry, require_forces=False)]
    if not frames:
        raise MlpotError(f"no frames in {' '.join(args.data)}: check the paths and slices")
    warn_about_data(frames)
    report, written = evaluate_model(
        calc, frames, Path(args.out), plot=not args.no_plot, title=Path(args.model).name,
        progress=not args.no_progress,
    )
    print(report.table())
    print("wrote " + ", ".join(str(path) for path in written))
