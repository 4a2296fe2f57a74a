"""`mlpot analyze maps MODEL --train ... --test ...`: PCA / t-SNE maps of per-atom descriptors."""

from __future__ import annotations

import argparse
from typing import Any

COLORS = ("set", "element", "group", "error")
DESCRIPTION = """Map the per-atom descriptors (the model's scaled network inputs) of training,
test and other data to two dimensions with PCA (axes fitted on the training atoms) and/or t-SNE,
one panel per element. Writes map_<method>_<colour>.png and maps.json into --out. Large sets
are subsampled reproducibly (--seed), sharing the points evenly between the sets."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("maps", help="PCA / t-SNE maps of descriptor space",
                                   description=DESCRIPTION)
    parser.add_argument("model", metavar="MODEL", help="trained model file")
    parser.add_argument("--train", nargs="+", default=[], metavar="FILE",
                        help="training data entries ('path [selection]')")
    parser.add_argument("--test", nargs="+", default=[], metavar="FILE", help="test data entries")
    parser.add_argument("--extra", action="append", default=[], metavar="LABEL=FILE",
                        help="more data under a label, e.g. md=traj.xyz (repeatable)")
    parser.add_argument("--color", nargs="+", choices=COLORS, default=["set"],
                        help="colour points by set, element, group or force error "
                             "(several allowed; default: set)")
    parser.add_argument("--method", choices=("pca", "tsne", "both"), default="pca",
                        help="embedding (default: pca)")
    parser.add_argument("--max-points", type=int, default=20_000,
                        help="atoms shown per PCA panel (default: 20000)")
    parser.add_argument("--max-points-tsne", type=int, default=3_000,
                        help="atoms embedded per t-SNE panel (default: 3000)")
    parser.add_argument("--perplexity", type=float, default=30.0, help="t-SNE perplexity")
    parser.add_argument("--seed", type=int, default=0, help="subsampling and t-SNE seed")
    parser.add_argument("--out", default=".", metavar="DIR", help="output directory")
    return parser


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mlpot.analysis.atom_descriptors import atom_descriptors
    from mlpot.analysis.descriptor_maps import MapSettings, descriptor_maps, map_points
    from mlpot.analysis.embedding import require_sklearn
    from mlpot.analysis.inputs import labelled_sets, parse_labelled
    from mlpot.analysis.parity import require_matplotlib
    from mlpot.models.serialization import load_model

    require_matplotlib()
    require_sklearn()
    methods = ("pca", "tsne") if args.method == "both" else (args.method,)
    settings = MapSettings(methods, tuple(dict.fromkeys(args.color)), args.seed,
                           args.max_points, args.max_points_tsne, args.perplexity)
    model = load_model(args.model)
    extras = [parse_labelled(text) for text in args.extra]
    sets = [("training", args.train), ("test", args.test)]
    sets += [(label, [e for lab, e in extras if lab == label]) for label in dict.fromkeys(
        lab for lab, _ in extras)]
    frames, labels = labelled_sets(sets)
    errors = _force_errors(model, frames) if "error" in settings.colors else None
    points = map_points(atom_descriptors(model, frames, progress=True), frames, labels, errors)
    summary, written = descriptor_maps(points, settings, Path(args.out),
                                       title=f"{Path(args.model).name}: descriptor map")
    for key, panels in summary["maps"].items():
        for name, panel in panels.items():
            shown = ", ".join(f"{n} {label}" for label, n in panel["shown"].items())
            extra = ""
            if "explained_variance_ratio" in panel:
                pc1, pc2 = panel["explained_variance_ratio"]
                extra = f"; PC1 {100 * pc1:.1f}%, PC2 {100 * pc2:.1f}% of training variance"
            print(f"{key} {name}: {shown} atoms shown{extra}")
    print("wrote " + ", ".join(str(path) for path in written))


def _force_errors(model, frames):
    from mlpot.analysis.errors import predict_frames
    from mlpot.analysis.structure_errors import atom_force_errors
    from mlpot.calculators import MlpotCalculator

    predictions = predict_frames(MlpotCalculator(model), frames, stress=False, progress=True)
    return atom_force_errors(frames, predictions)
