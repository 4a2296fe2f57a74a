"""Zero-shot accuracy and labelling cost of universal pretrained models on the Zuo et al. data.

    OMP_NUM_THREADS=1 python benchmarks/universal_zero_shot.py --data ../shared/data/mlearn \
        --elements Si Ge Li --models sevennet-0 chgnet --train-stride 4 --out runs/universal

For each element and model: per-element energy offsets are fitted (mlpot.universal.offsets,
least squares on the energy per atom) on every --train-stride-th structure of training.json;
the model with the offsets then labels every structure of test.json (energy, forces and, for
periodic cells with a reference, stress), one structure at a time with one torch thread, each
call timed. Prints per element, model and group the MAE/RMSE of energy (meV/atom), forces
(eV/Å) and stress (GPa), and the median seconds per structure and per atom; writes them to
--out/zero_shot.json. Offsets change energies only: forces and stress are the model's own.

The labelling cost is measured apart (the accuracy runs' timings are only for orientation):

    OMP_NUM_THREADS=1 python benchmarks/universal_zero_shot.py --data ../shared/data/mlearn \
        --elements Si Ge Li --models sevennet-0 chgnet --cost-only --cost-frames 4 --rounds 3

labels the first --cost-frames test structures of each element with each model, the models
interleaved, --rounds times (after one untimed warm-up call per model), and prints the median
seconds per structure and per atom (energy, forces and stress of one structure per call,
one torch thread).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def label(calc, frames) -> tuple[object, list[float]]:
    """Predictions of calc for frames, and the seconds each structure took (E, F, S)."""
    from mlpot.analysis.errors import Predictions

    energies, forces, stresses, seconds = [], [], [], []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        start = time.perf_counter()
        energies.append(atoms.get_potential_energy())
        forces.append(np.array(atoms.get_forces()))
        want_stress = frame.stress is not None and bool(np.all(frame.pbc))
        stresses.append(np.array(atoms.get_stress(voigt=True)) if want_stress else None)
        seconds.append(time.perf_counter() - start)
    return Predictions(np.array(energies), forces, stresses), seconds


def run_one(data: Path, element: str, model: str, stride: int) -> dict:
    from mlpot.analysis.errors import error_report
    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames
    from mlpot.universal.offsets import OffsetCalculator, fit_offsets, model_energies

    calc = load_calculator(model)
    train = read_frames(data / element / "training.json")[::stride]
    test = read_frames(data / element / "test.json")
    start = time.perf_counter()
    offsets = fit_offsets(train, model_energies(calc, train))
    fit_seconds = time.perf_counter() - start
    label(OffsetCalculator(calc, offsets), test[:1])  # warm-up, not timed
    predictions, seconds = label(OffsetCalculator(calc, offsets), test)
    report = error_report(test, predictions)
    per_atom = [s / len(f) for s, f in zip(seconds, test, strict=True)]
    return {
        "element": element, "model": model, "offsets": offsets.to_dict(),
        "train_frames_for_offsets": len(train), "offset_fit_seconds": fit_seconds,
        "test_frames": len(test), "errors": report.to_dict(),
        "seconds_per_structure": float(np.median(seconds)),
        "seconds_per_atom": float(np.median(per_atom)),
        "median_atoms": float(np.median([len(f) for f in test])),
    }


def table(results: list[dict]) -> str:
    head = ("| element | model | group | E MAE | E RMSE | F MAE | F RMSE | S RMSE (GPa) |\n"
            "|---|---|---|---|---|---|---|---|")
    rows = [head]
    for result in results:
        errors = result["errors"]
        for group, values in [("all", errors["overall"]), *errors["groups"].items()]:
            rows.append(_row(result["element"], result["model"], group, values))
    return "\n".join(rows)


def _row(element: str, model: str, group: str, values: dict) -> str:
    def get(quantity: str, key: str, digits: str) -> str:
        metric = values.get(quantity)
        return "-" if metric is None else format(metric[key], digits)

    return (f"| {element} | {model} | {group} | {get('energy', 'mae', '.1f')} | "
            f"{get('energy', 'rmse', '.1f')} | {get('forces', 'mae', '.3f')} | "
            f"{get('forces', 'rmse', '.3f')} | {get('stress', 'rmse', '.2f')} |")


def cost_table(results: list[dict]) -> str:
    rows = ["| element | model | offsets (eV/atom) | s/structure | ms/atom | atoms (median) |",
            "|---|---|---|---|---|---|"]
    for r in results:
        delta = ", ".join(f"{v:+.3f}" for v in r["offsets"]["eV_per_atom"].values())
        rows.append(f"| {r['element']} | {r['model']} | {delta} | "
                    f"{r['seconds_per_structure']:.2f} | {1000 * r['seconds_per_atom']:.1f} | "
                    f"{r['median_atoms']:.0f} |")
    return "\n".join(rows)


def cost(data: Path, elements: list[str], models: list[str], n_frames: int,
         rounds: int) -> list[dict]:
    """Median seconds per structure and per atom of each model, interleaved (see above)."""
    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames

    calcs = {model: load_calculator(model) for model in models}
    rows = []
    for element in elements:
        frames = read_frames(data / element / "test.json")[:n_frames]
        seconds: dict[str, list[float]] = {model: [] for model in models}
        for calc in calcs.values():
            label(calc, frames[:1])  # warm-up
        for _ in range(rounds):
            for model, calc in calcs.items():
                seconds[model] += label(calc, frames)[1]
        atoms = np.median([len(f) for f in frames])
        for model in models:
            per_structure = float(np.median(seconds[model]))
            rows.append({"element": element, "model": model, "atoms": float(atoms),
                         "seconds_per_structure": per_structure,
                         "ms_per_atom": 1000 * per_structure / atoms,
                         "calls": len(seconds[model])})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--elements", nargs="+", default=["Si", "Ge", "Li"])
    parser.add_argument("--models", nargs="+", default=["sevennet-0", "chgnet"])
    parser.add_argument("--train-stride", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("runs/universal"))
    parser.add_argument("--cost-only", action="store_true")
    parser.add_argument("--cost-frames", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.cost_only:
        rows = cost(args.data, args.elements, args.models, args.cost_frames, args.rounds)
        (args.out / "cost.json").write_text(json.dumps(rows, indent=2) + "\n")
        print("| element | model | atoms | s/structure | ms/atom | calls |\n" + "|---" * 6 + "|")
        for r in rows:
            print(f"| {r['element']} | {r['model']} | {r['atoms']:.0f} | "
                  f"{r['seconds_per_structure']:.2f} | {r['ms_per_atom']:.1f} | {r['calls']} |")
        return
    results = []
    for element in args.elements:
        for model in args.models:
            results.append(run_one(args.data, element, model, args.train_stride))
            print(f"{element} {model}: {results[-1]['errors']['overall']}", flush=True)
            (args.out / "zero_shot.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print()
    print(cost_table(results))


if __name__ == "__main__":
    main()
