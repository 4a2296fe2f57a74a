"""Training throughput (issue: evaluation speed, target 5): the mlearn Si training set.

    python benchmarks/training_speed.py --data ../shared/data/mlearn --markdown BENCHMARKS.md

Builds the default-recipe model for Si from a config that names only the data (all 214
structures of training.json, 13,233 atoms, no validation split), then times, in a fresh
process per thread count (numba and torch threads):

- descriptor preparation: descriptors and per-pair derivatives of every structure
  (`prepare_frames`), after one warm-up structure so that JIT loading is not counted;
- one training pass: every structure once in mini-batches of the default size, with the
  energy + force + stress loss, forward, backward and optimiser step (median of 5 passes
  after one warm-up pass).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BEGIN, END = "<!-- training-speed:begin -->", "<!-- training-speed:end -->"
REPEATS = 5


def worker(data: Path) -> dict:
    import torch

    from mlpot.config import LossWeights, TrainConfig
    from mlpot.data import read_frames
    from mlpot.models.predict import predict
    from mlpot.training.dataset import collate, prepare_frames
    from mlpot.training.fit_preprocessing import fit_preprocessing
    from mlpot.training.loss import batch_loss
    from mlpot.training.run import build_model

    path = data / "Si" / "training.json"
    config = TrainConfig.model_validate(
        {"data": {"train": [{"name": "si", "files": [str(path)]}], "validation": 0.0}}
    )
    frames = read_frames(str(path))
    for frame in frames:
        frame.group = "si"
    model = build_model(config, frames)
    dtype = getattr(torch, config.training.dtype)
    prepare_frames(frames[:1], model, dtype, ["si"], progress=False)
    start = time.perf_counter()
    prepared = prepare_frames(frames, model, dtype, ["si"], progress=False)
    prep_s = time.perf_counter() - start
    fit_preprocessing(model, frames, prepared, config.model.scaling, config.model.pca)
    settings = config.training
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_terms = LossWeights(energy=1.0, forces=1.0, stress=1.0)  # every term

    def one_pass() -> float:
        begin = time.perf_counter()
        for first in range(0, len(prepared), settings.batch_size):
            batch = collate(prepared[first : first + settings.batch_size])
            optimizer.zero_grad(set_to_none=True)
            pred = predict(model, batch.inputs, {"forces", "stress"}, create_graph=True)
            batch_loss(pred, batch, loss_terms).backward()
            optimizer.step()
        return time.perf_counter() - begin

    one_pass()
    passes = [one_pass() for _ in range(REPEATS)]
    return {
        "structures": len(frames),
        "atoms": sum(len(f.numbers) for f in frames),
        "pairs": sum(len(p.inputs.pair_first) for p in prepared),
        "functions": model.sfset.max_features,
        "hidden": list(model.network_specs["Si"].hidden),
        "batch_size": settings.batch_size,
        "prep_s": prep_s,
        "pass_s": statistics.median(passes),
    }


def measure(data: Path, threads: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "NUMBA_NUM_THREADS": str(threads)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(data)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return {"threads": threads, **json.loads(out.strip().splitlines()[-1])}


def markdown(rows: list[dict], command: str) -> str:
    first = rows[0]
    lines = [
        BEGIN,
        "## Training throughput (issue: evaluation speed, target 5)",
        "",
        f"`{command}`",
        "",
        f"{platform.processor() or platform.machine()}; mlearn Si training set: "
        f"{first['structures']} structures, {first['atoms']:,} atoms, {first['pairs']:,} pairs; "
        f"default recipe: {first['functions']} symmetry functions, hidden {first['hidden']}, "
        f"batches of {first['batch_size']} structures; energy + force + stress loss.",
        "",
        "| threads | descriptor preparation | one training pass | per atom |",
        "|---:|---:|---:|---:|",
    ]
    for r in rows:
        per_atom = r["pass_s"] / r["atoms"] * 1e6
        lines.append(
            f"| {r['threads']} | {r['prep_s']:.1f} s | {r['pass_s']:.2f} s | {per_atom:.0f} µs |"
        )
    lines += ["", "Targets: preparation under 30 s, one pass under 2 s on two cores.", END]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/mlearn"))
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    rows = [measure(args.data, threads) for threads in (1, 2)]
    text = markdown(rows, "python benchmarks/training_speed.py " + " ".join(sys.argv[1:]))
    print(text)
    if args.markdown:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from zuo import write_markdown

        write_markdown(args.markdown, text, BEGIN, END)


if __name__ == "__main__":
    main()
