"""The equivariant family beside MACE: same Zuo data, same validation split, same time budget.

    python benchmarks/equivariant_vs_mace.py --data ../shared/data/mlearn --element Si \
        --minutes 30 --mace-python /work/bench-mace/bin/python --out runs/eq-mace

--codes mlpot or --codes mace trains one of the two (two processes, one per core, run the
pair side by side); each code's result goes to result-CODE.json in the run's folder, and the
table printed at the end holds every code found there.

MACE (`pip install mace-torch` in its own environment, never an mlpot dependency) trains with
`mace_run_train` and mlpot with `mlpot train`, both on one validation split drawn here (10 %,
--seed) and written as extended XYZ, each in its own process with --threads threads. The
budget is wall time of the epochs: mlpot gets `training.max_minutes`; MACE's epoch count is
calibrated the same way (a 3-epoch run, the pace of its last epoch, the time of its data
preparation left out), since mace_run_train has no time limit. Both are then evaluated on
test.json, which neither saw, per group (MACE through its ASE calculator in its own
environment, predictions handed back as arrays; the errors computed by mlpot's code for both).

MACE settings (--mace-channels, default 32x0e, the size of mlpot's default): the MACE model of
mace_run_train with r_max 5 Å, 8 Bessel functions, l_max 3, correlation 3, two interactions,
its default loss weights (energy 1, forces 100) and optimiser (Adam, AMSGrad, lr 0.01,
batch 5, plateau schedule), EMA 0.99, the stage-two loss from 75 % of the epochs on (the
documented training recipe), E0s the average per-atom energies of the training set, float64.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import ase.io
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

MACE_EVAL = r"""
import sys, numpy as np, ase.io
from mace.calculators import MACECalculator
model, frames, out = sys.argv[1:4]
calc = MACECalculator(model_paths=model, device="cpu", default_dtype="float64")
energy, forces, stress = [], [], []
for atoms in ase.io.read(frames, ":"):
    atoms.calc = calc
    energy.append(atoms.get_potential_energy())
    forces.append(atoms.get_forces())
    stress.append(atoms.get_stress(voigt=True) if atoms.pbc.all() else np.full(6, np.nan))
np.savez(out, energy=np.array(energy), forces=np.concatenate(forces), stress=np.array(stress))
"""
EPOCH_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*Epoch (\d+):")


def split(frames: list, fraction: float, seed: int) -> tuple[list, list]:
    order = np.random.default_rng(seed).permutation(len(frames))
    n_valid = max(round(fraction * len(frames)), 1)
    valid = set(order[:n_valid].tolist())
    return ([f for i, f in enumerate(frames) if i not in valid],
            [f for i, f in enumerate(frames) if i in valid])


def write_sets(out: Path, train: list, valid: list, test: list) -> None:
    """mlpot's files (labels as calculator results) and MACE's (REF_ keys) of each set, each
    written whole under a temporary name first (two processes may write the same split)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frames in (("train", train), ("valid", valid), ("test", test)):
        labelled = [f.to_atoms(with_labels=True) for f in frames]
        for atoms, frame in zip(labelled, frames, strict=True):
            atoms.info["group"] = frame.group
        _write_whole(out / f"{name}.xyz", labelled)
        mace = []
        for frame in frames:
            atoms = frame.to_atoms(with_labels=False)
            atoms.info["REF_energy"] = frame.energy
            atoms.arrays["REF_forces"] = np.asarray(frame.forces)
            if frame.stress is not None:
                atoms.info["REF_stress"] = np.asarray(frame.stress)
            mace.append(atoms)
        _write_whole(out / f"mace_{name}.xyz", mace)


def _write_whole(path: Path, frames: list) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    ase.io.write(partial, frames, format="extxyz")
    os.replace(partial, path)


def run_mlpot(out: Path, minutes: float, seed: int, threads: int) -> float:
    """Wall seconds of `mlpot train` (zuo.train) on the split with the time budget."""
    return train_equivariant(out, out, {"max_minutes": minutes, "seed": seed}, threads)


def train_equivariant(sets: Path, run: Path, training: dict, threads: int,
                      model: dict | None = None) -> float:
    """Wall seconds of `mlpot train` (zuo.train) of the equivariant default model (with the
    settings `model` changed) on the split in `sets` (train.xyz, valid.xyz) with these
    training settings; the run in run/mlpot."""
    import yaml
    from zuo import train

    config = {
        "output": str(run / "mlpot"),
        "data": {"train": [{"name": "train", "files": [str(sets / "train.xyz")]}],
                 "validation": [{"name": "validation", "files": [str(sets / "valid.xyz")]}]},
        "model": {"family": "equivariant", **(model or {})},
        "training": training,
    }
    run.mkdir(parents=True, exist_ok=True)
    path = run / "mlpot.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return train(path, threads)[0]


def mace_command(mace_python: str, out: Path, name: str, epochs: int, args) -> list[str]:
    bin_dir = Path(mace_python).parent
    return [
        str(bin_dir / "mace_run_train"), f"--name={name}", f"--seed={args.seed}",
        f"--train_file={out / 'mace_train.xyz'}", f"--valid_file={out / 'mace_valid.xyz'}",
        "--energy_key=REF_energy", "--forces_key=REF_forces", "--stress_key=REF_stress",
        "--model=MACE", f"--hidden_irreps={args.mace_channels}", "--r_max=5.0",
        "--num_radial_basis=8", "--max_L=3", "--correlation=3", "--num_interactions=2",
        "--E0s=average", "--batch_size=5", f"--max_num_epochs={epochs}",
        "--swa", f"--start_swa={max(int(0.75 * epochs), 1)}", "--ema", "--ema_decay=0.99",
        "--amsgrad", "--default_dtype=float64", "--device=cpu", "--eval_interval=1",
        f"--work_dir={out / name}", "--save_cpu",
    ]


def mace_epoch_seconds(log_dir: Path) -> float:
    """Seconds of the last epoch of a MACE run, from the time stamps of its epoch lines."""
    stamps = []
    for log in sorted(log_dir.rglob("*.log")):
        for line in log.read_text().splitlines():
            match = EPOCH_LINE.match(line)
            if match:
                stamps.append(datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f"))
    if len(stamps) < 2:
        raise RuntimeError(f"no two epoch lines in the MACE logs under {log_dir}")
    return (stamps[-1] - stamps[-2]).total_seconds()


def run_mace(out: Path, args) -> tuple[float, int]:
    """(wall seconds, epochs) of MACE's run in the budget."""
    from mlpot.training.time_budget import epochs_within

    probe = mace_command(args.mace_python, out, "mace_probe", 3, args)
    _timed(probe, args.threads, out / "mace_probe.log")
    pace = mace_epoch_seconds(out / "mace_probe")
    epochs = max(epochs_within(args.minutes, [pace]) - 1, 3)
    command = mace_command(args.mace_python, out, "mace", epochs, args)
    return _timed(command, args.threads, out / "mace.log"), epochs


def _timed(command: list[str], threads: int, log: Path) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "NUMBA_NUM_THREADS": str(threads),
           "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"}
    from zuo import run_child

    start = time.perf_counter()
    with open(log, "w") as handle:
        run_child(command, env, handle)  # a killed benchmark ends mace_run_train too
    return time.perf_counter() - start


def mace_model(out: Path) -> Path:
    """The model mace_run_train kept (the stage-two one where it exists)."""
    found = sorted((out / "mace").glob("mace*.model"))
    stage_two = [p for p in found if "stagetwo" in p.name]
    if not found:
        raise RuntimeError(f"no MACE model in {out / 'mace'}")
    return (stage_two or found)[0]


def mace_errors(out: Path, test: list, mace_python: str) -> dict:
    from mlpot.analysis.errors import Predictions, error_report

    npz = out / "mace_test.npz"
    subprocess.run([mace_python, "-c", MACE_EVAL, str(mace_model(out)),
                    str(out / "mace_test.xyz"), str(npz)], check=True,
                   env={**os.environ, "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"})
    data = np.load(npz)
    sizes = np.cumsum([len(f) for f in test])[:-1]
    stress = [None if f.stress is None or not np.isfinite(s).all() else s
              for f, s in zip(test, data["stress"], strict=True)]
    predictions = Predictions(data["energy"], np.split(data["forces"], sizes), stress)
    return error_report(test, predictions).to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--element", required=True)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--mace-python", help="python of the MACE environment (none: mlpot only)")
    parser.add_argument("--mace-channels", default="32x0e")
    parser.add_argument("--out", type=Path, default=Path("runs/eq-mace"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--codes", nargs="+", choices=("mlpot", "mace"),
                        default=["mlpot", "mace"], help="which codes to train (default both; "
                        "mace needs --mace-python)")
    args = parser.parse_args()
    from zuo import evaluate

    from mlpot.data import read_frames

    if "mace" in args.codes and not args.mace_python:
        parser.error("MACE needs --mace-python (the python of its environment)")
    out = (args.out / f"{args.element}-seed{args.seed}").resolve()
    frames = read_frames(str(args.data / args.element / "training.json"))
    test = read_frames(str(args.data / args.element / "test.json"))
    train, valid = split(frames, 0.1, args.seed)
    write_sets(out, train, valid, test)
    setting = {"element": args.element, "seed": args.seed, "minutes": args.minutes,
               "threads": args.threads}
    if "mlpot" in args.codes:
        seconds = run_mlpot(out, args.minutes, args.seed, args.threads)
        result = {**setting, "seconds": seconds,
                  "epochs": json.loads((out / "mlpot" / "run.json").read_text())["epochs_run"],
                  "errors": evaluate(out / "mlpot" / "model.pt", args.data.resolve(),
                                     args.element, out / "mlpot-test")}
        (out / "result-mlpot.json").write_text(json.dumps(result, indent=2) + "\n")
    if "mace" in args.codes:
        seconds, epochs = run_mace(out, args)
        result = {**setting, "mace_channels": args.mace_channels, "seconds": seconds,
                  "epochs": epochs, "errors": mace_errors(out, test, args.mace_python)}
        (out / "result-mace.json").write_text(json.dumps(result, indent=2) + "\n")
    print_results(out)


def print_results(out: Path) -> None:
    """Each code's epochs, minutes and test MAE, per group, from the result files in out."""
    for path in sorted(out.glob("result-*.json")):
        result = json.loads(path.read_text())
        code = path.stem.removeprefix("result-")
        print(f"{code}: {result['epochs']} epochs, {result['seconds'] / 60:.1f} min")
        report = result["errors"]
        for group, errors in [*report["groups"].items(), ("overall", report["overall"])]:
            stress = errors.get("stress") or {}
            print(f"  {group:<10} E {errors['energy']['mae']:.2f} / {errors['energy']['rmse']:.2f}"
                  f" meV/atom  F {errors['forces']['mae']:.4f} / {errors['forces']['rmse']:.4f}"
                  f" eV/Å  stress {stress.get('mae', float('nan')):.3f} GPa")


if __name__ == "__main__":
    main()
