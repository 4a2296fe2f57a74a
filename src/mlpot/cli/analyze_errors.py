"""`mlpot analyze errors MODEL DATA...`: parity, error histograms, errors per group and, with
--train, errors against coverage."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Predict every frame of DATA with MODEL; write parity.png, error_histograms.png,
errors_by_group.png and errors_analysis.json into --out (energy per atom in meV/atom, forces in
eV/Å, stress in GPa). With --train, also the coverage score of each structure and
error_vs_coverage.png."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.cli.analyze_coverage import add_coverage_options

    parser = subparsers.add_parser("errors", help="error plots of a model on labelled data",
                                   description=DESCRIPTION)
    parser.add_argument("model", metavar="MODEL", help="trained model file")
    parser.add_argument("data", metavar="DATA", nargs="+", help="labelled data entries")
    add_coverage_options(parser, required=False)
    parser.add_argument("--out", default=".", metavar="DIR", help="output directory")
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.error_analysis import analyze_errors
    from mlpot.analysis.errors import error_report, predict_frames
    from mlpot.analysis.inputs import read_entries
    from mlpot.analysis.parity import require_matplotlib
    from mlpot.calculators import MlpotCalculator
    from mlpot.cli.analyze_coverage import coverage_from_args
    from mlpot.models.serialization import load_model

    require_matplotlib()
    model = load_model(args.model)
    frames = read_entries(args.data)
    coverage = coverage_from_args(args, model, frames) if args.train else None
    predictions = predict_frames(MlpotCalculator(model), frames, progress=True)
    summary, written = analyze_errors(frames, predictions, Path(args.out), coverage=coverage,
                                      title=Path(args.model).name)
    print(error_report(frames, predictions).table())
    if coverage is not None:
        print(f"flagged by coverage: {summary['coverage']['n_flagged']} of {len(frames)}")
        for name, relation in summary["coverage"]["relation"].items():
            if relation is not None:
                print(f"  {name}: Spearman rank correlation of error and coverage score "
                      f"{relation['spearman']:.2f}")
    print("wrote " + ", ".join(str(path) for path in written))
