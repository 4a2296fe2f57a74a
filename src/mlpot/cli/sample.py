"""`mlpot sample CONFIG`: samplers (MD, metadynamics, guided MD, normal modes) writing
unlabelled structures, and a diversity selection of them to a label budget."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Run the configured samplers (MD at temperatures, pressures and strains;
metadynamics on descriptor, distance or coordination CVs; guided MD; normal modes) with a
model or any ASE calculator, write every sampled structure with its provenance
(samples.xyz), and pick the label budget from them by farthest-point sampling or CUR in
descriptor space (selected.xyz, report.json). Run it again to continue after an
interruption: finished runs are kept."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sample", help="generate structures to label: samplers and diversity selection",
        description=DESCRIPTION,
    )
    parser.add_argument("config", help="YAML configuration file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from mlpot.sampling.config import load_sample_config
    from mlpot.sampling.run import run_sampling, summary_lines

    config = load_sample_config(args.config)
    report = run_sampling(config, progress=not args.no_progress)
    print("\n".join(summary_lines(report)))
    print(f"wrote {config.output / 'selected.xyz'} and {config.output / 'report.json'}")
    return 0
