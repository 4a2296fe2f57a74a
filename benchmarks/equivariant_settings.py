"""Training settings of the equivariant family at a fixed number of epochs, on the split of
benchmarks/equivariant_vs_mace.py (10 % validation, --seed).

    OMP_NUM_THREADS=1 taskset -c 1 python benchmarks/equivariant_settings.py \
        --data ../shared/data/mlearn --element Si --epochs 30 --out runs/eq-settings \
        --name lr1e-2-f0.3 --training '{"optimizer": {"lr": 0.01}, "loss": {"forces": 0.3}}'

One `mlpot train` of the equivariant default model with the cosine schedule and the given
training settings (JSON, merged into the training section; `{}` for the family's defaults)
and model settings (--model, JSON, merged into the model section),
then the test errors of the kept model; one line per run is appended to --out/results.txt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from equivariant_vs_mace import split, train_equivariant, write_sets
    from zuo import evaluate

    from mlpot.data import read_frames

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--element", required=True)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--name", required=True)
    parser.add_argument("--training", default="{}", help="JSON: training settings")
    parser.add_argument("--model", default="{}", help="JSON: model settings")
    parser.add_argument("--out", type=Path, default=Path("runs/eq-settings"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sets = (args.out / f"{args.element}-seed{args.seed}").resolve()
    if not (sets / "train.xyz").is_file():
        frames = read_frames(str(args.data / args.element / "training.json"))
        test = read_frames(str(args.data / args.element / "test.json"))
        write_sets(sets, *split(frames, 0.1, args.seed), test)
    run = sets / args.name
    training = {"epochs": args.epochs, "seed": args.seed, "schedule": {"name": "cosine"},
                **json.loads(args.training)}
    wall = train_equivariant(sets, run, training, 1, json.loads(args.model))
    overall = evaluate(run / "mlpot" / "model.pt", args.data.resolve(), args.element,
                       run / "test")["overall"]
    stress = overall.get("stress") or {}
    epochs = json.loads((run / "mlpot" / "run.json").read_text())["epochs_run"]
    line = (f"{args.element} {args.name}: {epochs} epochs, {wall / 60:.1f} min; test MAE "
            f"E {overall['energy']['mae']:.2f} meV/atom, F {overall['forces']['mae']:.4f} eV/Å, "
            f"stress {stress.get('mae', float('nan')):.3f} GPa; training {args.training}, "
            f"model {args.model}")
    print(line)
    with open(args.out / "results.txt", "a") as handle:
        handle.write(line + "\n")


if __name__ == "__main__":
    main()
