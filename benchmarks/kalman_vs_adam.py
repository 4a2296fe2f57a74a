"""Training: Kalman filter vs Adam on the mlearn Si data shipped in examples/si.

    python benchmarks/kalman_vs_adam.py --budget 300 --markdown BENCHMARKS.md

Both optimisers train the same model (examples/si/config.yaml: its symmetry functions,
network, seed and 10 % validation split of train.xyz) for the same budget of seconds, wall
clock or (--clock cpu) CPU time of the process, all threads counted. Adam uses the
example's settings (lr 0.003, batches of 8, plateau schedule); the Kalman filter n2p2's
defaults (plus --kalman overrides). Each run keeps the model of lowest validation loss (loss
coefficients of the example), which is then evaluated on examples/si/test.xyz: MAE of the
energy per atom and of the force components, next to the published n2p2 potential.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADING = "## Training: Kalman filter vs Adam"
N2P2 = {"energy_mae": 5.63, "forces_mae": 0.109}  # the published n2p2 Si potential


def prepare(config_path: Path):
    """(config, train, validation, test) prepared with the example's symmetry functions."""
    import torch

    from mlpot.config import load_config
    from mlpot.training.data import read_test_groups, read_training_data
    from mlpot.training.dataset import prepare_frames
    from mlpot.training.run import build_model

    config = load_config(config_path)
    train, validation = read_training_data(config)
    test = read_test_groups(config.data.test, config.data.require_forces)
    descriptors = build_model(config, train)  # the symmetry functions of every run
    groups = sorted({f.group for f in train + validation + test})

    def prepared(frames):
        return prepare_frames(frames, descriptors, torch.float64, groups, progress=False)

    return config, train, prepared(train), prepared(validation), prepared(test)


def train_one(name, config, frames, sets, budget, clock, kalman, output, threads):
    """Train with optimizer `name` for `budget` seconds; errors of the best model on test."""
    import torch

    from mlpot.config import KalmanConfig
    from mlpot.models.serialization import load_model
    from mlpot.training.fit_preprocessing import fit_preprocessing
    from mlpot.training.run import build_model
    from mlpot.training.trainer import Trainer

    train_set, val_set, test_set = sets
    model = build_model(config, frames)
    fit_preprocessing(model, frames, train_set, config.model.scaling, config.model.pca)
    optimizer = KalmanConfig(name="kalman", **kalman) if name == "kalman" else None
    optimizer = optimizer or config.training.optimizer.model_copy(update={"name": name})
    settings = config.training.model_copy(update={
        "epochs": 1_000_000, "early_stopping": None, "checkpoint_every": 1_000_000,
        "optimizer": optimizer,
        "ema_decay": None if name == "kalman" else config.training.ema_decay,
    })
    now = time.process_time if clock == "cpu" else time.perf_counter

    class TimedTrainer(Trainer):
        deadline = now() + budget

        def _stopped(self) -> bool:
            return now() >= self.deadline or super()._stopped()

    torch.set_num_threads(threads)  # after the descriptors: their numba kernels reset it
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    trainer = TimedTrainer(model, train_set, val_set, settings, output)
    rows = trainer.run()
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    trainer.model = load_model(output / "model.pt")
    _, errors = trainer.evaluate(test_set)
    best = min(rows, key=lambda r: r["val_loss"])
    return {
        "optimizer": name,
        "weights": sum(p.numel() for p in model.networks.parameters()),
        "threads": torch.get_num_threads(),
        "epochs": len(rows),
        "best_epoch": best["epoch"],
        "wall_s": wall,
        "cpu_s": cpu,
        "epoch_s": sum(r["time_s"] for r in rows) / len(rows),
        "test": {k: errors[k] for k in ("energy_mae", "energy_rmse", "forces_mae", "forces_rmse")},
        "best_val": {k: best[f"val_{k}"] for k in ("energy_rmse", "forces_rmse")},
    }


def markdown(results: list[dict], command: str, about: str) -> list[str]:
    lines = [
        HEADING,
        "",
        f"`{command}`",
        "",
        about,
        "",
        "| optimiser | weights | epochs | s / epoch | best epoch | test E MAE (meV/atom) "
        "| test F MAE (eV/Å) | E / n2p2 | F / n2p2 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e, f = r["test"]["energy_mae"], r["test"]["forces_mae"]
        lines.append(
            f"| {r['optimizer']} | {r['weights']:,} | {r['epochs']} | {r['epoch_s']:.1f} | "
            f"{r['best_epoch']} | {e:.2f} | {f:.3f} | {e / N2P2['energy_mae']:.2f} | "
            f"{f / N2P2['forces_mae']:.2f} |"
        )
    e, f = N2P2["energy_mae"], N2P2["forces_mae"]
    lines.append(f"| n2p2 (published) | | | | | {e:.2f} | {f:.3f} | 1 | 1 |")
    return lines + [""]


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this benchmark's section of the markdown file, or append it."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start = text.find(HEADING)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines)
    else:
        following = text.find("\n## ", start + len(HEADING))
        end = len(text) if following < 0 else following + 1
        text = text[:start] + "\n".join(lines) + ("\n" if following >= 0 else "") + text[end:]
    path.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "examples/si/config.yaml")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per optimiser")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--kalman",
        type=json.loads,
        default={},
        help="Kalman filter settings (training.optimizer keys) as JSON, "
        "e.g. '{\"force_batch\": 4}'",
    )
    parser.add_argument("--optimizers", nargs="+", default=["kalman", "adam"])
    parser.add_argument("--output", type=Path, default=REPO / "runs/kalman_vs_adam")
    parser.add_argument("--markdown", type=Path, help="write the results section here")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    config, frames, *sets = prepare(args.config)
    print(f"descriptors: {time.perf_counter() - start:.0f} s", flush=True)
    results = []
    for name in args.optimizers:
        output = args.output / name
        result = train_one(
            name, config, frames, sets, args.budget, args.clock, args.kalman, output, args.threads
        )
        print(json.dumps(result), flush=True)
        results.append(result)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(results, indent=2))
    if args.markdown:
        given = sys.argv[1:] if argv is None else argv
        command = "python benchmarks/kalman_vs_adam.py " + " ".join(given)
        load = ", ".join(f"{x:.1f}" for x in _load_average())
        about = (
            f"{platform.processor() or platform.machine()}, {args.threads} torch threads, "
            f"budget {args.budget:.0f} s of {args.clock} time per optimiser (load average at the "
            f"end: {load}). Kalman settings: n2p2 defaults"
            + (f" with {json.dumps(args.kalman)}" if args.kalman else "")
            + ". Test set: examples/si/test.xyz (25 structures, 1,525 atoms)."
        )
        write_section(args.markdown, markdown(results, command.strip(), about))


def _load_average() -> tuple[float, ...]:
    try:
        import os

        return os.getloadavg()
    except OSError:
        return (math.nan,)


if __name__ == "__main__":
    main()
