"""`mlpot analyze learning-curve RUN`: training and validation errors per epoch."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Plot loss, learning rate and the MAE/RMSE of energy (meV/atom), forces (eV/Å)
and stress (GPa) per epoch from a training run's log.csv (log-scale y); write
learning_curve.png and learning_curve.json into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("learning-curve", help="learning curves of a training run",
                                   description=DESCRIPTION)
    parser.add_argument("run_dir", metavar="RUN", help="training output directory or its log.csv")
    parser.add_argument("--out", default=".", metavar="DIR", help="output directory")
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.learning_curves import analyze_learning_curve
    from mlpot.analysis.parity import require_matplotlib

    require_matplotlib()
    summary, written = analyze_learning_curve(args.run_dir, Path(args.out))
    print(f"{summary['n_epochs']} epochs; best epoch {summary['best_epoch']} "
          f"(lowest {summary['best_by']})")
    for name, values in summary["metrics"].items():
        if name.endswith("_rmse"):
            print(f"  {name}: {values['at_best_epoch']:.4g} at the best epoch, "
                  f"{values['final']:.4g} at the last")
    print("wrote " + ", ".join(str(path) for path in written))
