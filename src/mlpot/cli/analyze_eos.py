"""`mlpot analyze eos MODEL STRUCTURE`: energy-volume curve and Birch-Murnaghan fit."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Scale STRUCTURE isotropically by linear strains in [-STRAIN, STRAIN], fit
E(V) with the Birch-Murnaghan form (ase.eos) and report V0 (Å^3/atom), E0 (eV/atom) and the
bulk modulus (GPa) against --reference; writes eos.json and eos.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_check_arguments, add_relax_arguments

    parser = subparsers.add_parser(
        "eos", help="equation of state and bulk modulus", description=DESCRIPTION
    )
    add_check_arguments(parser)
    parser.add_argument(
        "--strain", type=float, default=0.03, help="largest linear strain, fraction (default: 0.03)"
    )
    parser.add_argument("--points", type=int, default=9, help="volumes (default: 9)")
    add_relax_arguments(parser, default=False)
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.command_line import relax_options, run_check
    from mlpot.analysis.properties.eos import equation_of_state, plot_eos
    from mlpot.analysis.properties.files import read_structure

    atoms = read_structure(args.structure)

    def compute(calc):
        return equation_of_state(
            atoms, calc, max_strain=args.strain, points=args.points, **relax_options(args)
        )

    run_check(args, "eos", compute, plot_eos)
