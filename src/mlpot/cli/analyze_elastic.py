"""`mlpot analyze elastic MODEL STRUCTURE`: elastic constants from stress-strain."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Strain the cell of STRUCTURE (as given: relax it first) by +-STRAIN in each
of the six Voigt components and report C_ij (GPa) from the stress differences: the full 6x6
matrix, the cubic C11, C12, C44 and the Voigt bulk and shear moduli, against --reference;
writes elastic.json and elastic.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_check_arguments, add_relax_arguments

    parser = subparsers.add_parser(
        "elastic", help="elastic constants C_ij", description=DESCRIPTION
    )
    add_check_arguments(parser)
    parser.add_argument(
        "--strain",
        type=float,
        default=0.005,
        help="strain of each component, fraction (default: 0.005)",
    )
    add_relax_arguments(parser, default=False)
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.command_line import relax_options, run_check
    from mlpot.analysis.properties.elastic import elastic_constants, plot_elastic
    from mlpot.analysis.properties.files import read_structure

    atoms = read_structure(args.structure)

    def compute(calc):
        return elastic_constants(atoms, calc, strain=args.strain, **relax_options(args))

    run_check(args, "elastic", compute, plot_elastic)
