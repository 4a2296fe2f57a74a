"""`mlpot export MODEL OUT --format FORMAT`: an mlpot model in another code's format."""

from __future__ import annotations

import argparse
from typing import Any

from mlpot.interop.formats import FORMATS

DESCRIPTION = """Write the mlpot model MODEL in another code's format into OUT (n2p2: a
directory with input.nn, scaling.data, weights.ZZZ.data and a lammps.in snippet for LAMMPS
pair_style hdnnp; lammps: the file of mlpot's own pair_style mlpot, see `mlpot lammps build`).
The files are in eV and Å. A multi-fidelity model is written at its target fidelity (or
--fidelity), its fidelity input folded into the first layer's biases."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export", help="write a model in another code's format", description=DESCRIPTION
    )
    parser.add_argument("model", metavar="MODEL", help="mlpot model file")
    parser.add_argument("out", metavar="OUT",
                        help="where to write (n2p2: a directory; lammps: a file)")
    parser.add_argument("--format", required=True, choices=list(FORMATS), help="format to write")
    parser.add_argument("--fidelity", metavar="NAME",
                        help="of a multi-fidelity model, the fidelity to export (default: its "
                        "target fidelity)")
    return parser


def run(args: argparse.Namespace) -> None:
    from mlpot.interop.formats import write_potential
    from mlpot.models.serialization import load_model

    written = write_potential(args.format, load_model(args.model), args.out, args.fidelity)
    print(f"wrote {', '.join(str(path) for path in written)}")
