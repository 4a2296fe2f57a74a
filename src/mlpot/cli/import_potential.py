"""`mlpot import SOURCE MODEL_OUT --format FORMAT`: another code's potential as an mlpot model."""

from __future__ import annotations

import argparse
from typing import Any

from mlpot.cli.units import add_units_argument, file_units
from mlpot.interop.formats import FORMATS

DESCRIPTION = """Read the potential at SOURCE (n2p2: the directory with input.nn, scaling.data
and weights.ZZZ.data) and write it as an mlpot model file MODEL_OUT, in eV and Å. n2p2 files
carry no unit: give --units bohr-hartree for a potential trained in atomic units."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import",
        help="convert another code's potential to an mlpot model",
        description=DESCRIPTION,
    )
    parser.add_argument("source", metavar="SOURCE", help="the potential (file or directory)")
    parser.add_argument("model_out", metavar="MODEL_OUT", help="mlpot model file to write")
    parser.add_argument("--format", required=True, choices=list(FORMATS), help="format of SOURCE")
    add_units_argument(parser)
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.errors import MlpotError
    from mlpot.interop.formats import read_potential
    from mlpot.models.serialization import save_model

    options = {}
    if args.units is not None:
        if args.format != "n2p2":
            raise MlpotError(f"--units applies to n2p2 potentials, not to {args.format}")
        options["units"] = file_units(args.units)
    model = read_potential(args.format, args.source, **options)
    save_model(model, Path(args.model_out), getattr(model, "metadata", None))
    shapes = ", ".join(
        f"{e}: {model.sfset.n_features(e)} functions, hidden {list(model.network_specs[e].hidden)}"
        for e in model.elements
    )
    print(f"read {args.format} potential {args.source} ({shapes})")
    print(f"wrote {args.model_out}")
