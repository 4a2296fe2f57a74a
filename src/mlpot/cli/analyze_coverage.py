"""`mlpot analyze coverage MODEL --train FILE DATA...`: which structures lie outside the
training set's environments."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """For every atom of DATA: the distance, in the model's scaled descriptor space,
to the nearest training environment of its element, divided by the element's threshold (by
default calibrated on the training set's own leave-one-structure-out nearest distances so that
--percentile of the training structures stay below it). A structure is flagged when any atom
scores above 1. Writes coverage.json and coverage.png."""


def add_coverage_options(parser: argparse.ArgumentParser, required: bool) -> None:
    """--train and the threshold options (shared with `analyze errors`)."""
    parser.add_argument("--train", action="append", required=required, metavar="FILE",
                        help="training data entry ('path [selection]', globs allowed); "
                             "repeat for several")
    parser.add_argument("--percentile", type=float, default=99.0,
                        help="threshold percentile of the training set's leave-one-out "
                             "nearest distances (default: 99)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="fixed threshold distance for every element instead")
    parser.add_argument("--calibration", choices=("structure", "atom"), default="structure",
                        help="percentile of training structures (default) or of training "
                             "atoms that stay below the threshold")
    parser.add_argument("--leave-out", choices=("structure", "atom"), default="structure",
                        help="leave one training structure (default) or atom out for the "
                             "training set's own distances")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("coverage", help="coverage of data by the training set",
                                   description=DESCRIPTION)
    parser.add_argument("model", metavar="MODEL", help="trained model file")
    parser.add_argument("data", metavar="DATA", nargs="+", help="data entries to score")
    add_coverage_options(parser, required=True)
    parser.add_argument("--gdf-sigma", type=float, default=None,
                        help="also report each structure's GDF density among the training "
                             "environments, with this width")
    parser.add_argument("--out", default=".", metavar="DIR", help="output directory")
    return parser


def coverage_from_args(args: argparse.Namespace, model, frames, gdf_sigma=None):
    from mlpot.analysis.coverage_analysis import coverage_of
    from mlpot.analysis.inputs import read_entries

    train = read_entries(args.train, "training")
    return coverage_of(model, train, frames, percentile=args.percentile,
                       threshold=args.threshold, leave_out=args.leave_out,
                       calibration=args.calibration, gdf_sigma=gdf_sigma)


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.coverage_analysis import analyze_coverage
    from mlpot.analysis.inputs import read_entries
    from mlpot.analysis.parity import require_matplotlib
    from mlpot.models.serialization import load_model

    require_matplotlib()
    model = load_model(args.model)
    frames = read_entries(args.data)
    result = coverage_from_args(args, model, frames, args.gdf_sigma)
    labels = [frame.group for frame in frames]
    summary, written = analyze_coverage(result, frames, labels, Path(args.out),
                                        title=f"{Path(args.model).name}: coverage")
    thresholds = ", ".join(f"{el} {t:.4g}" for el, t in
                           summary["threshold"]["per_element"].items())
    print(f"thresholds (scaled descriptor distance): {thresholds}")
    rate = summary["training"]["flag_rate_leave_one_out"]
    print(f"training structures flagged when left out: {100 * rate:.1f}%")
    print(f"flagged {summary['n_flagged']} of {summary['n_structures']} structures")
    flagged = sorted((r for r in summary["structures"] if r["flagged"]),
                     key=lambda r: -r["max_score"])  # inf: an element without training atoms
    for row in flagged[:10]:
        print(f"  {row['source']}: score {row['max_score']:.3g}, "
              f"{100 * row['fraction_beyond']:.0f}% of atoms beyond the threshold")
    print("wrote " + ", ".join(str(path) for path in written))
