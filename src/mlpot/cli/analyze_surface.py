"""`mlpot analyze surface MODEL STRUCTURE --miller H K L`: surface energy of a slab."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Cut a slab of --layers layers with --vacuum Å on each side from the bulk
STRUCTURE (Miller indices relative to its cell: give the conventional cubic cell for cubic
indices) and report gamma = (E_slab - N E_bulk/atom) / 2A in J/m^2 and eV/Å^2 against
--reference (numbers under surface: "HKL"); writes surface.json and surface.png into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from mlpot.analysis.properties.command_line import add_check_arguments, add_relax_arguments

    parser = subparsers.add_parser("surface", help="surface energy", description=DESCRIPTION)
    add_check_arguments(parser)
    parser.add_argument(
        "--miller",
        type=int,
        nargs=3,
        required=True,
        metavar=("H", "K", "L"),
        help="Miller indices of the surface",
    )
    parser.add_argument("--layers", type=int, default=5, help="slab layers (default: 5)")
    parser.add_argument(
        "--vacuum",
        type=float,
        default=10.0,
        metavar="A",
        help="vacuum on each side of the slab, Å (default: 10)",
    )
    add_relax_arguments(parser, default=False)
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.analysis.properties.command_line import relax_options, run_check
    from mlpot.analysis.properties.files import read_structure
    from mlpot.analysis.properties.surface import miller_label, plot_surface, surface_energy

    atoms = read_structure(args.structure)
    miller = tuple(args.miller)

    def compute(calc):
        return surface_energy(
            atoms, calc, miller, layers=args.layers, vacuum=args.vacuum, **relax_options(args)
        )

    run_check(args, "surface", compute, plot_surface, section=("surface", miller_label(miller)))
