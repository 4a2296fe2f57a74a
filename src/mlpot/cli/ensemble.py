"""`mlpot ensemble CONFIG`: train a committee of potentials for uncertainty estimates."""

from __future__ import annotations

import argparse

DESCRIPTION = """Train MEMBERS potentials from one training configuration into OUTPUT/member_K/
(OUTPUT: the config's output, or --output) and list them in OUTPUT/ensemble.json, which
`mlpot md` and mlpot.uncertainty.load_ensemble_calculator accept. Kind "seeds": each member
has its own seed (initial weights, batch order, validation split). Kind "atomic-energy": member
0 trains normally, the others also fit member 0's atomic energies (Jung and Han 2020)."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "ensemble", help="train an ensemble of potentials (uncertainty)", description=DESCRIPTION
    )
    parser.add_argument("config", help="YAML training configuration")
    parser.add_argument("--members", type=int, default=4, help="number of models (default: 4)")
    parser.add_argument(
        "--kind",
        choices=("seeds", "atomic-energy"),
        default="seeds",
        help="how members differ (default: seeds)",
    )
    parser.add_argument(
        "--output", metavar="DIR", help="ensemble directory (default: the config's output)"
    )
    parser.add_argument(
        "--atomic-energy-weight",
        type=float,
        metavar="C",
        help="loss coefficient of the atomic-energy targets (default: "
        "training.loss.atomic_energy, else the energy coefficient)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="skip finished members and continue an interrupted one",
    )
    parser.add_argument(
        "--no-plot", dest="plot", action="store_false", help="no parity plot of the test set"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlpot.config import load_config
    from mlpot.uncertainty.train_ensemble import train_ensemble

    config = load_config(args.config)
    output = Path(args.output) if args.output else Path(config.output)
    models = train_ensemble(
        config,
        args.members,
        args.kind.replace("-", "_"),
        output,
        resume=args.resume,
        atomic_energy_weight=args.atomic_energy_weight,
        progress=not args.no_progress,
        report=print,
    )
    print(f"ensemble of {len(models)} models listed in {output / 'ensemble.json'}")
    if config.data.test:
        _evaluate_test_set(config, models, output / "test", args.plot)
    return 0


def _evaluate_test_set(config, models, out, plot: bool) -> None:
    """Errors of the ensemble mean on the config's test groups."""
    from mlpot.analysis.evaluate import evaluate_model
    from mlpot.training.data import read_test_groups
    from mlpot.uncertainty.ensemble_calculator import load_ensemble_calculator

    frames = read_test_groups(config.data.test, config.data.require_forces)
    report, written = evaluate_model(load_ensemble_calculator(models), frames, out, plot=plot)
    print(report.table())
    print("wrote " + ", ".join(str(path) for path in written))
