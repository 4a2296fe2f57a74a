"""Distillation benchmark: SevenNet-0 distilled into an mlpot potential for Zuo et al.'s Si.

    OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/distill.py \
        --data ../shared/data/mlearn --out runs/distill-si

1. `mlpot distill` (mlpot.distill.run_distill) with SevenNet-0 as the teacher: the 214 Si
   training structures of Zuo et al. (their DFT labels unused) are the seeds; MD with the
   teacher from the --starts most diverse of them at two temperatures and two strains; the
   seeds and the MD snapshots are candidates, farthest-point sampling picks --budget of them,
   the teacher labels them (one worker process), 10 % are held out, and the default
   descriptor recipe of `mlpot train` is trained on the rest for --epochs epochs (the
   recipe's automatic count, 588 here, takes an hour on a busy shared core). Reported: the
   distilled model against the teacher on the held-out teacher labels; teacher and distilled
   model against the DFT test set (test.json), each with per-element energy offsets fitted
   on every 4th DFT training structure (as `mlpot evaluate --offsets-from`). Rerunning with
   the same --out resumes (and reuses) the finished stages.
2. MD speed: E+F per atom and step on a 2,000-atom diamond Si cell (10 x 10 x 10 primitive
   cells, rattled by 0.05 Å), ASE VelocityVerlet at 1 fs, one thread (torch and numba), the
   distilled model (MlpotCalculator) and SevenNet-0 timed in alternation, --rounds rounds
   after one untimed step each; medians of the per-round wall and CPU (process) times.

Writes --out/benchmark.json and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

CONFIG = """output: {out}
teacher: {{calculator: sevennet-0}}
structures: [seeds.xyz]
explore:
  starts: {starts}
  temperatures: [800, 1600]
  strains: [-0.02, 0.03]
  steps: {steps}
  interval: 5
  timestep: 2.0
select: {{budget: {budget}, holdout: 0.1}}
executor: {{kind: process, workers: 1}}
dft:
  test: ["{data}/test.json"]
  offsets_from: ["{data}/training.json ::4"]
training: {{epochs: {epochs}}}
"""


def write_inputs(data: Path, out: Path, args: argparse.Namespace) -> Path:
    """seeds.xyz (the DFT training structures, unlabelled) and config.yaml in out."""
    from ase.io import write

    from mlpot.data import read_frames

    out.mkdir(parents=True, exist_ok=True)
    seeds = out / "seeds.xyz"
    if not seeds.is_file():
        frames = read_frames(data / "training.json")
        write(seeds, [frame.to_atoms(with_labels=False) for frame in frames], format="extxyz")
    config = out / "config.yaml"
    config.write_text(CONFIG.format(out=out / "run", starts=args.starts, steps=args.steps,
                                    budget=args.budget, epochs=args.epochs,
                                    data=data.absolute()))
    return config


def distill(config: Path) -> tuple[dict, float]:
    """report.json of the distillation (resumed when started before) and its wall time."""
    from mlpot.distill import load_distill_config, run_distill

    cfg = load_distill_config(config)
    resume = (Path(cfg.output) / "state.json").is_file()
    start = time.perf_counter()
    report = run_distill(cfg, resume=resume, progress=True, plot=False)
    return report, time.perf_counter() - start


def md_speed(model: Path, rounds: int, steps: int) -> dict:
    """Median microseconds per atom and step of VelocityVerlet MD, distilled vs SevenNet-0."""
    from ase import units
    from ase.build import bulk
    from ase.md.verlet import VelocityVerlet

    from mlpot.calculators import load_calculator

    atoms = bulk("Si", "diamond", a=5.43).repeat((10, 10, 10))
    atoms.rattle(0.05, seed=1)
    calcs = {"distilled": load_calculator(model), "sevennet-0": load_calculator("sevennet-0")}
    per_step = {"distilled": steps, "sevennet-0": 1}
    times: dict[str, list[float]] = {name: [] for name in calcs}
    cpu: dict[str, list[float]] = {name: [] for name in calcs}
    systems = {}
    for name, calc in calcs.items():
        systems[name] = atoms.copy()
        systems[name].calc = calc
        VelocityVerlet(systems[name], 1.0 * units.fs).run(1)  # untimed: warm-up, compile
    for _ in range(rounds):
        for name in calcs:
            dyn = VelocityVerlet(systems[name], 1.0 * units.fs)
            start, start_cpu = time.perf_counter(), time.process_time()
            dyn.run(per_step[name])
            scale = per_step[name] * len(atoms)
            times[name].append((time.perf_counter() - start) / scale)
            cpu[name].append((time.process_time() - start_cpu) / scale)
    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    return {
        "atoms": len(atoms),
        "us_per_atom_step": medians,
        "cpu_us_per_atom_step": {name: statistics.median(v) * 1e6 for name, v in cpu.items()},
        "rounds": rounds,
        "steps_per_round": per_step,
        "speedup": medians["sevennet-0"] / medians["distilled"],
    }


def main() -> None:
    import numba
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/mlearn"))
    parser.add_argument("--out", type=Path, default=Path("runs/distill-si"))
    parser.add_argument("--starts", type=int, default=4)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--budget", type=int, default=250)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--md-steps", type=int, default=20, help="distilled steps per round")
    args = parser.parse_args()
    torch.set_num_threads(1)
    numba.set_num_threads(1)
    out = args.out.absolute()
    config = write_inputs(args.data / "Si", out, args)
    report, seconds = distill(config)
    from mlpot.distill.report import table

    print(table(report["errors"]))
    print(json.dumps(report["counts"]))
    speed = md_speed(out / "run" / "model" / "model.pt", args.rounds, args.md_steps)
    for kind in ("us_per_atom_step", "cpu_us_per_atom_step"):
        times = speed[kind]
        print(f"MD, 2,000 Si atoms, one thread ({kind}): distilled {times['distilled']:.2f}, "
              f"SevenNet-0 {times['sevennet-0']:.0f}: "
              f"{times['sevennet-0'] / times['distilled']:.0f} times faster")
    result = {"distill_seconds": seconds, "report": report, "md_speed": speed}
    (out / "benchmark.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
