"""mlpot train CONFIG: train a potential as the YAML configuration says."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help="train a potential from a YAML configuration")
    parser.add_argument("config", help="YAML configuration file")
    parser.add_argument(
        "--resume", action="store_true", help="continue the interrupted run in the output directory"
    )
    parser.add_argument(
        "--init-model", metavar="MODEL",
        help="fine-tune this model on the new data (epochs: auto is then a short run)"
    )
    parser.add_argument(
        "--init-fidelity", metavar="NAME",
        help="the fidelity the --init-model (a single-fidelity model) learnt, when the data "
        "has several: the model is widened to them and predicts as before at NAME"
    )
    parser.add_argument(
        "--no-plot", dest="plot", action="store_false", help="no parity plot of the test set"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlpot.analysis.evaluate import evaluate_model
    from mlpot.calculators import load_calculator
    from mlpot.config import load_config
    from mlpot.training.run import train_from_config

    config = load_config(args.config)
    outcome = train_from_config(
        config,
        resume=args.resume,
        initial_model=Path(args.init_model) if args.init_model else None,
        initial_fidelity=args.init_fidelity,
        progress=not args.no_progress,
    )
    print(f"model written to {outcome.model_path}")
    if outcome.test_frames:
        calc = load_calculator(outcome.model_path)
        out = outcome.model_path.parent / "test"
        report, written = evaluate_model(
            calc, outcome.test_frames, out, plot=args.plot, progress=not args.no_progress
        )
        print(report.table())
        print("wrote " + ", ".join(str(path) for path in written))
    return 0
