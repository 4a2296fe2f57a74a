"""`mlpot evaluate MODEL DATA...`: errors of a model on labelled data, with a parity plot."""

from __future__ import annotations

import argparse
from typing import Any

from mlpot.cli.fidelity import add_fidelity_argument
from mlpot.cli.units import add_units_argument, file_units

DESCRIPTION = """Predict energy, forces and stress of every frame in DATA with MODEL; print
MAE/RMSE overall and per group, and write errors.json and parity.png into --out.
MODEL is a model file, the ensemble.json of `mlpot ensemble` (the members' mean is judged), or
a universal pretrained model (sevennet-0, sevennet-mf-0[:FIDELITY], sevennet-l3i5, chgnet, or
a SevenNet/CHGNet/MACE model file; needs mlpot[universal]).
DATA entries are files, optionally with a frame slice: "OUTCAR 10:100:5".
--offsets-from / --offsets-config: per-element energy offsets are fitted by least squares on
those labelled frames (the model's energy per atom against theirs), added to the model's
energies, printed and written to errors.json: a universal model's absolute energies differ from
a given DFT setup's by a constant per element."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate", help="errors of a model on labelled data", description=DESCRIPTION
    )
    parser.add_argument(
        "model", metavar="MODEL",
        help="trained model file, an ensemble's ensemble.json, or a universal model",
    )
    parser.add_argument("data", metavar="DATA", nargs="+", help="data entries to evaluate on")
    parser.add_argument("--out", default=".", metavar="DIR",
                        help="directory for errors.json and parity.png (default: .)")
    parser.add_argument("--no-plot", action="store_true", help="do not draw parity.png")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--offsets-from", nargs="+", default=[], metavar="DATA",
                        help="labelled data entries to fit per-element energy offsets on")
    parser.add_argument("--offsets-config", metavar="CONFIG",
                        help="fit the offsets on the training groups of this train config")
    add_units_argument(parser)
    add_fidelity_argument(parser)
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
    # energy-only frames are evaluated too (their forces are left out of the force errors)
    frames = [frame for entry in args.data for frame in read_frames(entry, require_forces=False)]
    if not frames:
        raise MlpotError(f"no frames in {' '.join(args.data)}: check the paths and slices")
    warn_about_data(frames)
    # after the data: a universal model takes seconds to load
    calc = load_calculator_or_ensemble([args.model], file_units(args.units), args.fidelity)
    calc, extra = _with_offsets(calc, args)
    report, written = evaluate_model(
        calc, frames, Path(args.out), plot=not args.no_plot, title=Path(args.model).name,
        progress=not args.no_progress, extra=extra,
    )
    print(report.table())
    print("wrote " + ", ".join(str(path) for path in written))


def _with_offsets(calc: Any, args: argparse.Namespace) -> tuple[Any, dict | None]:
    """calc with energy offsets fitted on --offsets-from / --offsets-config (printed), and the
    errors.json entry recording them; calc unchanged when neither is given."""
    from mlpot.errors import MlpotError
    from mlpot.universal import is_universal
    from mlpot.universal.offsets import (
        OffsetCalculator,
        fit_offsets,
        model_energies,
        read_offset_frames,
    )

    if not args.offsets_from and args.offsets_config is None:
        if is_universal(args.model):
            print("energies are the universal model's own (no offsets): pass --offsets-from "
                  "TRAINING_DATA to line them up with your DFT energies")
        return calc, None
    frames = read_offset_frames(args.offsets_from, args.offsets_config)
    if not frames:
        raise MlpotError("no frames to fit energy offsets on: check --offsets-from")
    energies = model_energies(calc, frames, progress=not args.no_progress)
    offsets = fit_offsets(frames, energies)
    print(offsets.table())
    return OffsetCalculator(calc, offsets), {"energy_offsets": offsets.to_dict()}
