"""mlpot import-config INPUT CONFIG: a SIMPLE-NN input.yaml as an mlpot training configuration."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import-config",
        help="convert a SIMPLE-NN input.yaml into an mlpot training configuration",
        description="Read SIMPLE-NN's input.yaml and the params files it names, and write the "
        "mlpot configuration for `mlpot train`. Settings mlpot does not use are listed as "
        "warnings.",
    )
    parser.add_argument("input", help="SIMPLE-NN input.yaml")
    parser.add_argument("config", help="mlpot configuration file to write (YAML)")
    parser.add_argument(
        "--n-train",
        type=int,
        metavar="N",
        help="number of training structures: converts SIMPLE-NN 1's iteration counts to epochs",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    import sys

    from mlpot.errors import MlpotError
    from mlpot.interop.simple_nn import import_config

    if args.n_train is not None and args.n_train < 1:
        raise MlpotError(f"--n-train must be at least 1, got {args.n_train}")
    warnings = import_config(args.input, args.config, n_train=args.n_train)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {args.config}")
    return 0
