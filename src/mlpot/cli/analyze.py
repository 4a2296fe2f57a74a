"""`mlpot analyze WHAT ...`: plots and property checks, one sub-subcommand per analysis.

Each module in ANALYSES exposes add_parser(subparsers) -> ArgumentParser and run(args), like
the top-level commands; each analysis writes PNG plots and a JSON of its numbers into --out.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

# (analysis name, module): the order is the order of `mlpot analyze --help`.
ANALYSES: list[tuple[str, str]] = [
    ("maps", "mlpot.cli.analyze_maps"),
    ("coverage", "mlpot.cli.analyze_coverage"),
    ("errors", "mlpot.cli.analyze_errors"),
    ("learning-curve", "mlpot.cli.analyze_learning_curve"),
    ("gdf", "mlpot.cli.analyze_gdf"),
    ("eos", "mlpot.cli.analyze_eos"),
    ("elastic", "mlpot.cli.analyze_elastic"),
    ("vacancy", "mlpot.cli.analyze_vacancy"),
    ("surface", "mlpot.cli.analyze_surface"),
    ("phonons", "mlpot.cli.analyze_phonons"),
    ("rdf", "mlpot.cli.analyze_rdf"),
    ("nve", "mlpot.cli.analyze_nve"),
]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "analyze",
        help="plots and property checks of a model",
        description="Descriptor maps, error plots and physical-property checks of a model.",
    )
    analyses = parser.add_subparsers(dest="analysis", metavar="ANALYSIS", required=True)
    for name, module_name in ANALYSES:
        module = importlib.import_module(module_name)
        subparser = module.add_parser(analyses)
        if analyses.choices.get(name) is not subparser:
            raise RuntimeError(f"{module_name}.add_parser must add and return '{name}'")
        subparser.set_defaults(run_analysis=module.run)
    return parser


def run(args: argparse.Namespace) -> Any:
    return args.run_analysis(args)
