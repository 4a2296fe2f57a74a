"""`mlpot analyze vacancy MODEL STRUCTURE`: vacancy formation energy in a supercell."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Repeat STRUCTURE (one element) by --supercell, remove atom --index and report
E_f = E(N-1) - (N-1)/N E(N) in eV, relaxed (positions, fixed cell; --relax-cell relaxes the
cells too) and unrelaxed, against --reference; writes vacancy.json and vacancy.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import (
        add_check_arguments,
        add_relax_arguments,
        add_supercell_argument,
    )

    parser = subparsers.add_parser(
        "vacancy", help="vacancy formation energy", description=DESCRIPTION
    )
    add_check_arguments(parser)
    add_supercell_argument(parser)
    parser.add_argument("--index", type=int, default=0, help="atom removed (default: 0)")
    add_relax_arguments(parser, default=True)
    parser.add_argument(
        "--relax-cell",
        action="store_true",
        help="relax the cell shape and volume too (zero stress)",
    )
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.command_line import relax_options, run_check
    from mlpot.analysis.properties.files import read_structure
    from mlpot.analysis.properties.vacancy import plot_vacancy, vacancy_formation_energy

    atoms = read_structure(args.structure)

    def compute(calc):
        return vacancy_formation_energy(
            atoms,
            calc,
            supercell=tuple(args.supercell),
            index=args.index,
            relax_cell=args.relax_cell,
            **relax_options(args),
        )

    run_check(args, "vacancy", compute, plot_vacancy)
