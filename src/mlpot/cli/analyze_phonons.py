"""`mlpot analyze phonons MODEL STRUCTURE`: phonon band structure and DOS (phonopy)."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Force constants of STRUCTURE (relax it first) from displaced supercells
(phonopy, the "analysis" extra); band structure along ASE's standard path of the primitive
cell (or --path) and the DOS, in THz, with imaginary modes reported (negative frequencies),
against --reference; writes phonons.json and phonons.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_check_arguments, add_supercell_argument

    parser = subparsers.add_parser(
        "phonons", help="phonon band structure and DOS", description=DESCRIPTION
    )
    add_check_arguments(parser)
    add_supercell_argument(parser)
    parser.add_argument(
        "--displacement",
        type=float,
        default=0.01,
        metavar="A",
        help="atomic displacement, Å (default: 0.01)",
    )
    parser.add_argument(
        "--path",
        help="special points of the band path, e.g. GXWKGLUWLK,UX (default: ASE's standard path)",
    )
    parser.add_argument(
        "--points", type=int, default=150, help="q-points along the path (default: 150)"
    )
    parser.add_argument(
        "--mesh", type=int, default=12, help="q-points per direction of the DOS mesh (default: 12)"
    )
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.command_line import run_check
    from mlpot.analysis.properties.files import read_structure
    from mlpot.analysis.properties.phonons import phonon_bands, plot_phonons, require_phonopy

    require_phonopy()
    atoms = read_structure(args.structure)

    def compute(calc):
        return phonon_bands(
            atoms,
            calc,
            supercell=tuple(args.supercell),
            displacement=args.displacement,
            path=args.path,
            points=args.points,
            mesh=args.mesh,
        )

    run_check(args, "phonons", compute, plot_phonons)
