"""`mlpot active CONFIG`: the active-learning loop (explore, select, label, retrain)."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Explore with an ensemble of potentials (MD over temperatures, pressures,
strains and compositions; normal modes), label the structures it is uncertain about with the
oracle, retrain, and repeat until nothing new is found. State, labels, models and the report
(report.json, report.csv, report.png) are written to the configured output directory."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "active", help="active learning: explore, label, retrain", description=DESCRIPTION
    )
    parser.add_argument("config", help="YAML configuration file")
    parser.add_argument(
        "--resume", action="store_true", help="continue the interrupted run in the output directory"
    )
    parser.add_argument("--no-plot", dest="plot", action="store_false", help="no report.png")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    from mlpot.active.config import load_active_config
    from mlpot.active.loop import oracle_failed, run_active
    from mlpot.active.report import table

    config = load_active_config(args.config)
    state = run_active(config, resume=args.resume, progress=not args.no_progress, plot=args.plot)
    print(table(state))
    print(f"stopped: {state.stop_reason}")
    print(f"report written to {config.output / 'report.json'}")
    return 1 if oracle_failed(state) else 0
