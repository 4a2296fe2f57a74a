"""`mlpot distill CONFIG`: a fast mlpot potential distilled from a slow teacher."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Explore the configured structures with the teacher (a universal pretrained
model such as sevennet-0, an ASE calculator, or a model file): MD at several temperatures,
strains and compositions, normal modes. Select diverse structures up to the label budget,
label them with the teacher, train an mlpot model on them and report its error against the
teacher on held-out teacher labels, and of teacher and distilled model against DFT test
data where the config gives some. Everything is written to the configured output directory
(model/model.pt, report.json); --resume continues a killed run."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "distill", help="distil a teacher into a fast potential", description=DESCRIPTION
    )
    parser.add_argument("config", help="YAML configuration file")
    parser.add_argument(
        "--resume", action="store_true", help="continue the interrupted run in the output directory"
    )
    parser.add_argument("--no-plot", dest="plot", action="store_false", help="no parity plots")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    from mlpot.distill.config import load_distill_config
    from mlpot.distill.report import table
    from mlpot.distill.run import run_distill

    config = load_distill_config(args.config)
    report = run_distill(config, resume=args.resume, progress=not args.no_progress,
                         plot=args.plot)
    print(table(report["errors"]))
    print(f"distilled model: {config.output / 'model' / 'model.pt'}")
    print(f"report written to {config.output / 'report.json'}")
    return 0
