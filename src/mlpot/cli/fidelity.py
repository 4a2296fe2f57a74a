"""--fidelity: the fidelity a multi-fidelity model predicts at, for commands that take a model."""

from __future__ import annotations

import argparse


def add_fidelity_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fidelity", metavar="NAME",
        help="of a multi-fidelity model, the fidelity to predict at (default: the target "
             "fidelity of its training config)",
    )
