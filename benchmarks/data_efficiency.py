"""Learning curves: test error against the share of the training structures, per model family.

    OMP_NUM_THREADS=1 python benchmarks/data_efficiency.py --data ../shared/data/mlearn \
        --families nnp equivariant --fractions 0.1 0.25 0.5 1 --draws 0 1 2 --minutes 60 \
        --out runs/data-efficiency

For a fraction f below 1 and draw d, the structures are a random f of EL/training.json,
drawn as multi_fidelity.py draws its DFT subsets (numpy's default_rng(d), `choice` without
replacement); f = 1 takes them all. Each run is `mlpot train` in a child process with a
config that names only the data (10 % of it for validation), the family (`model.family`),
`training.seed` d and `training.max_minutes` --minutes (with --scale-minutes: --minutes x f,
so that every fraction gets about the epochs of the full set's run): everything else is the
family's default recipe. The equivariant family's recipe needs the time cap (its automatic
epoch count would take hours on one core); the descriptor recipe ends well within it. The kept
model is tested on test.json, which no run sees, per group.

Each run's result goes to OUT/FAMILY@F-drawD/result.json and a run with a result is not
repeated, so processes on separate cores can share the runs (split by --families,
--fractions, --draws) and a later call adds draws. Prints, per family and fraction, the test
MAE of energy (meV/atom) and forces (eV/Å) of each draw and their mean, and whether the
equivariant model on 25 % reaches the descriptor model on all of the data.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from multi_fidelity import draw_indices, write_frames  # noqa: E402


def subset(frames: list, fraction: float, draw: int) -> list:
    """The structures of one draw (all of them at fraction 1)."""
    return [frames[i] for i in draw_indices(len(frames), min(fraction, 1.0), draw)]


def run_name(family: str, fraction: float, draw: int) -> str:
    return f"{family}@{fraction:g}-draw{draw}"


def minutes_for(args, fraction: float) -> float:
    """training.max_minutes of a run on `fraction` of the structures."""
    return args.minutes * min(fraction, 1.0) if args.scale_minutes else args.minutes


def run_once(args, family: str, fraction: float, draw: int, frames: list) -> dict:
    """Train and test one run (or read its result where it exists)."""
    from zuo import evaluate, train

    out = (args.out / run_name(family, fraction, draw)).resolve()
    result_path = out / "result.json"
    if result_path.is_file():
        return json.loads(result_path.read_text())
    chosen = subset(frames, fraction, draw)
    out.mkdir(parents=True, exist_ok=True)
    data = out / "train.xyz"
    write_frames(chosen, data)
    config = {
        "output": str(out / "run"),
        "data": {"train": [{"name": "train", "files": [str(data)]}], "validation": 0.1},
        "model": {"family": family},
        "training": {"seed": draw, "max_minutes": minutes_for(args, fraction)},
    }
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    seconds, _ = train(path, args.threads)  # its peak memory is the maximum over all runs
    record = json.loads((out / "run" / "run.json").read_text())
    result = {"family": family, "fraction": fraction, "draw": draw, "structures": len(chosen),
              "train_s": seconds, "epochs": record.get("epochs_run"),
              "max_minutes": minutes_for(args, fraction),
              "errors": evaluate(out / "run" / "model.pt", args.data.resolve(), args.element,
                                 out)}
    result_path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def overall_mae(result: dict) -> tuple[float, float]:
    overall = result["errors"]["overall"]
    return overall["energy"]["mae"], overall["forces"]["mae"]


def summary(results: list[dict]) -> str:
    """Per family and fraction: each draw's and the mean test MAE, then the issue's question."""
    table: dict[tuple[str, float], list[dict]] = {}
    for result in results:
        table.setdefault((result["family"], result["fraction"]), []).append(result)
    lines = ["| family | fraction | structures | draws | E MAE (meV/atom) | F MAE (eV/Å) | "
             "each draw E / F | minutes |", "|---|---:|---:|---:|---:|---:|---|---:|"]
    means = {}
    for (family, fraction), runs in sorted(table.items()):
        runs.sort(key=lambda r: r["draw"])
        maes = np.array([overall_mae(r) for r in runs])
        means[family, fraction] = maes.mean(axis=0)
        each = ", ".join(f"{e:.2f} / {f:.4f}" for e, f in maes)
        minutes = np.median([r["train_s"] for r in runs]) / 60
        lines.append(f"| {family} | {fraction:g} | {runs[0]['structures']} | {len(runs)} | "
                     f"{maes[:, 0].mean():.2f} | {maes[:, 1].mean():.4f} | {each} | "
                     f"{minutes:.1f} |")
    quarter, full = means.get(("equivariant", 0.25)), means.get(("nnp", 1.0))
    if quarter is not None and full is not None:
        lines.append(f"\nequivariant on 25 %: {quarter[0]:.2f} / {quarter[1]:.4f}; descriptor "
                     f"on 100 %: {full[0]:.2f} / {full[1]:.4f}; reached in energy: "
                     f"{quarter[0] <= full[0]}, in forces: {quarter[1] <= full[1]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the mlearn data directory")
    parser.add_argument("--element", default="Si")
    parser.add_argument("--families", nargs="+", default=["nnp", "equivariant"])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0])
    parser.add_argument("--draws", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--minutes", type=float, default=60.0,
                        help="training.max_minutes of every run")
    parser.add_argument("--scale-minutes", action="store_true",
                        help="training.max_minutes = --minutes x the fraction (equal epochs)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/data-efficiency"))
    args = parser.parse_args()
    from mlpot.data import read_frames

    frames = read_frames(str(args.data / args.element / "training.json"))
    for family in args.families:
        for fraction in args.fractions:
            for draw in args.draws:
                run_once(args, family, fraction, draw, frames)
    results = [json.loads(p.read_text()) for p in sorted(args.out.glob("*/result.json"))]
    print(summary(results))


if __name__ == "__main__":
    main()
