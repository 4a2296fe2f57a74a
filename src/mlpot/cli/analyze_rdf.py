"""`mlpot analyze rdf TRAJ`: radial distribution function of a trajectory."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """g(r) of the frames of TRAJ (any file ASE reads, periodic cells) averaged
over --frames, optionally for one --pair of elements, against --reference (a trajectory, or
a .json/.yaml file of numbers under rdf); reports the highest peak, the first minimum and the
coordination number; writes rdf.json and rdf.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_output_arguments

    parser = subparsers.add_parser(
        "rdf", help="radial distribution function g(r)", description=DESCRIPTION
    )
    parser.add_argument("trajectory", metavar="TRAJ", help="trajectory file")
    add_output_arguments(parser)
    parser.add_argument(
        "--rmax", type=float, default=6.0, metavar="A", help="largest distance, Å (default: 6)"
    )
    parser.add_argument("--bins", type=int, default=200, help="histogram bins (default: 200)")
    parser.add_argument(
        "--pair",
        nargs=2,
        metavar=("A", "B"),
        help="elements of a partial g_AB(r) (default: all atoms)",
    )
    parser.add_argument(
        "--frames",
        default=":",
        metavar="SLICE",
        help="frames used, an index or a slice like 100::10 (default: all)",
    )
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.check import Comparison
    from mlpot.analysis.properties.command_line import (
        require_plotting_unless_disabled,
        write_and_print,
    )
    from mlpot.analysis.properties.files import read_trajectory
    from mlpot.analysis.properties.rdf import plot_rdf, radial_distribution, rms_difference
    from mlpot.analysis.properties.reference import is_numbers_file, load_reference

    def compute(path: str):
        return radial_distribution(
            read_trajectory(path, args.frames),
            rmax=args.rmax,
            bins=args.bins,
            pair=tuple(args.pair) if args.pair else None,
            source=path,
        )

    require_plotting_unless_disabled(args)
    numbers = None
    if args.reference and is_numbers_file(args.reference):
        numbers = load_reference(args.reference).section("rdf")
    comparison = Comparison(
        "rdf",
        compute(args.trajectory),
        args.trajectory,
        reference_numbers=numbers,
        reference_label=args.reference,
    )
    extra = {}
    if args.reference and numbers is None:
        comparison.reference = compute(args.reference)
        extra["g_rms_difference"] = rms_difference(comparison.model, comparison.reference)
    comparison.differences()  # unknown reference names fail before any file is written
    write_and_print(comparison, args, plot_rdf, extra)
