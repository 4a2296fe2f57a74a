"""`mlpot analyze gdf MODEL DATA...`: GDF force weights (Jeong et al. 2018) of a data set."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = """Compute, as training with GDF weighting would, the Gaussian density of every
atom's environment among the atoms of DATA and the resulting force weights; write gdf.png
(histograms of weights and densities per element) and gdf.json into --out."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("gdf", help="GDF force weights of a data set",
                                   description=DESCRIPTION)
    parser.add_argument("model", metavar="MODEL", help="model file (its descriptor set is used)")
    parser.add_argument("data", metavar="DATA", nargs="+", help="data entries")
    parser.add_argument("--sigma", type=float, default=None,
                        help="Gaussian width per scaled descriptor (default: training's)")
    parser.add_argument("--cap", type=float, default=None,
                        help="largest weight relative to the mean (default: training's)")
    parser.add_argument("--out", default=".", metavar="DIR", help="output directory")
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.gdf_analysis import analyze_gdf
    from mlpot.analysis.inputs import read_entries
    from mlpot.analysis.parity import require_matplotlib
    from mlpot.models.serialization import load_model
    from mlpot.training.gdf import DEFAULT_CAP, DEFAULT_SIGMA

    require_matplotlib()
    sigma = DEFAULT_SIGMA if args.sigma is None else args.sigma
    cap = DEFAULT_CAP if args.cap is None else args.cap
    model = load_model(args.model)
    frames = read_entries(args.data)
    summary, written = analyze_gdf(model, frames, Path(args.out), sigma=sigma, cap=cap,
                                   title=f"{Path(args.model).name}: GDF weights")
    print(f"GDF sigma {sigma:g}, weight cap {cap:g}")
    for element, numbers in summary["elements"].items():
        weight = numbers["weight"]
        print(f"{element}: {numbers['n_atoms']} atoms, weights {weight['min']:.3g} to "
              f"{weight['max']:.3g} ({100 * numbers['fraction_at_cap']:.1f}% at the cap), "
              f"effective atoms {numbers['effective_atoms']:.1f}")
    print("wrote " + ", ".join(str(path) for path in written))
