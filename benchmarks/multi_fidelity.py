"""Data efficiency of multi-fidelity training on Zuo et al.'s Si (a universal model as the
cheap fidelity).

    OMP_NUM_THREADS=1 python benchmarks/multi_fidelity.py --data ../shared/data/mlearn \
        --fractions 0.1 0.25 --draws 0 1 2 --steps 30000 --out runs/multi_fidelity

For each DFT fraction f and draw d (a seed), a random f of the training structures of
Si/training.json keep their DFT labels. Trained and judged on the DFT test set:
    dft@f   the DFT subset alone (mlpot's default recipe otherwise);
    mf@f    the same subset (fidelity "dft", the target) plus every training structure
            labelled by the teacher (fidelity "teacher", default sevennet-0 through
            mlpot.universal, its raw energies: the model fits per-fidelity references);
            with two --teacher names the second labels the same structures as a third
            fidelity (runs mf-2t);
    delta@f the same subset's differences DFT - teacher (energy, forces, stress): the model
            learns the teacher's error, and its test predictions are the teacher's plus the
            model's (Δ-learning; the teacher's test labels are cached in --out too);
    finetune@f  a model trained on every training structure labelled by the teacher
            (once, seed 0, kept in --out/pretrain), then trained on the DFT subset from
            those weights (`mlpot train --init-model`; with --steps auto its epochs are
            the fine-tuning count, about 2,000 steps): pretraining, then fine-tuning;
    mfft@f  the pretrained model widened to the two fidelities (`mlpot train --init-model
            --init-fidelity teacher`) and fine-tuned on mf's data: the teacher's labels stay
            in the loss;
    dft@1   all DFT training labels, once.
With --explore-starts N, the teacher's data (mf, finetune's pretraining) also holds
teacher-explored structures: MD with the teacher from the N most diverse training structures
at --explore-temperatures and --explore-strains, the snapshots labelled by the teacher (cached in
--out/explored.xyz; see explored_frames); --explored-from FILE takes the structures of an
earlier run's explored.xyz instead and labels them with --teacher.
Every run takes about --steps optimiser steps (epochs = steps / batches per epoch), so the
runs differ in their data, not in their optimisation; --steps auto runs the recipe as
`mlpot train` does (epochs: auto). Teacher labels are computed once and
kept in --out/teacher.xyz. Prints and writes (--out/results.json) the test MAE/RMSE of
energy (meV/atom) and forces (eV/Å) per run, the mean over draws and the issue's targets:
mf@0.1 <= dft@0.25 and mf@0.1 <= 1.5 x dft@1 for energy and forces. Runs already in
results.json are not repeated (more draws can be added by a later call).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

BATCH = 4
TEACHER_KINDS = (None, "mf", "finetune", "mfft")  # --only values that need the teacher's data


def teacher_frames(frames, teacher: str, cache: Path):
    """The frames labelled by the universal model `teacher` (energy, forces, stress), cached."""
    return teacher_labels([frame.to_atoms(with_labels=False) for frame in frames], teacher,
                          cache)


def teacher_labels(images, teacher: str, cache: Path):
    """The structures `images` (ASE Atoms) labelled by `teacher`, cached in `cache`; frames."""
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write

    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames

    if not cache.is_file():
        calc = load_calculator(teacher)
        labelled = []
        start = time.perf_counter()
        for atoms in images:
            atoms = atoms.copy()
            atoms.calc = calc
            labels = {"energy": atoms.get_potential_energy(), "forces": atoms.get_forces()}
            if atoms.pbc.all():
                labels["stress"] = atoms.get_stress()
            atoms.calc = SinglePointCalculator(atoms, **labels)
            labelled.append(atoms)
        print(f"teacher labels: {len(images)} structures in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        partial = cache.with_suffix(".partial.xyz")
        write(partial, labelled, format="extxyz")
        partial.rename(cache)  # a killed run leaves no cache that looks complete
    return read_frames(str(cache))


def explored_frames(frames, teacher: str, out: Path, starts: int, steps: int,
                    temperatures=(800, 1600), strains=(-0.02, 0.03)):
    """Teacher-explored structures, labelled by the teacher (cached in out/explored.xyz):
    NVT MD with the teacher (mlpot distill's exploration) from the `starts` most diverse
    training structures (descriptor summaries) at `temperatures` (K) and `strains`,
    `steps` steps of 2 fs, a snapshot every 5 steps after the first (the starts themselves
    are training structures already); a snapshot with two atoms too close, where its run
    stops, is dropped. The cache does not record these settings: a new --out for new ones."""
    from mlpot.active.explore import shortest_distance
    from mlpot.calculators import load_calculator
    from mlpot.config.sections import DescriptorsConfig
    from mlpot.data import read_frames
    from mlpot.distill.choose import diverse, summaries, summary_model
    from mlpot.distill.config import DistillExploreConfig
    from mlpot.distill.explore import ExploreFiles, explore_with_teacher

    cache = out / "explored.xyz"
    if not cache.is_file():
        structures = [frame.to_atoms(with_labels=False) for frame in frames]
        elements = sorted({s for atoms in structures for s in atoms.get_chemical_symbols()})
        picked = diverse(summaries(summary_model(structures, elements, DescriptorsConfig()),
                                   structures), starts)
        cfg = DistillExploreConfig(temperatures=list(temperatures), strains=list(strains),
                                   steps=steps, interval=5, timestep=2.0)
        begin = time.perf_counter()
        explored = explore_with_teacher(
            [structures[i] for i in sorted(picked)], load_calculator(teacher), cfg,
            ExploreFiles(out / "explore"),
            shortest=cfg.closest_approach * min(shortest_distance(a) for a in structures))
        explored = [a for a in explored
                    if not a.info.get("too_close") and not a.info["origin"].endswith(" step 0")]
        print(f"explored: {len(explored)} snapshots in {time.perf_counter() - begin:.0f} s",
              flush=True)
        return teacher_labels(explored, teacher, cache)
    return read_frames(str(cache))


def draw_indices(total: int, fraction: float, draw: int) -> list[int]:
    """Sorted indices of a random `fraction` (at least 2) of `total` structures, draw d = seed d."""
    n = max(round(fraction * total), 2)
    return sorted(np.random.default_rng(draw).choice(total, n, replace=False).tolist())


def write_frames(frames, path: Path) -> Path:
    from ase.io import write

    write(path, [f.to_atoms() for f in frames], format="extxyz")
    return path


def differences(frames, teacher) -> list:
    """Frames labelled DFT - teacher (the teacher's frames in the same order)."""
    from dataclasses import replace

    out = []
    for dft, low in zip(frames, teacher, strict=True):
        if not np.allclose(dft.positions, low.positions):
            raise SystemExit(f"teacher frame {low.source} is not {dft.source}")
        stress = None if dft.stress is None or low.stress is None else dft.stress - low.stress
        out.append(replace(dft, energy=dft.energy - low.energy, forces=dft.forces - low.forces,
                           stress=stress))
    return out


def train_and_test(name: str, groups: list[dict], n_frames: int, test, out: Path,
                   steps: int | None, seed: int, baseline=None,
                   initial: Path | None = None, training: dict | None = None,
                   initial_fidelity: str | None = None) -> dict:
    """Train (from the model file `initial` if given, which learnt `initial_fidelity` where
    the groups have several), then test errors; `baseline` (teacher-labelled test frames):
    predictions are the baseline's plus the model's; `training`: settings merged into the
    training section."""
    from mlpot.analysis.errors import Predictions, error_report
    from mlpot.calculators import MlpotCalculator
    from mlpot.config import TrainConfig
    from mlpot.models.serialization import load_model
    from mlpot.training.run import prepare, train

    several = len({g.get("fidelity") for g in groups}) > 1
    epochs = "auto" if steps is None else max(round(steps / max(-(-n_frames * 0.9 // BATCH),
                                                                   1)), 1)
    config = TrainConfig.model_validate({
        "output": str(out / name),
        "data": {"train": groups, "target_fidelity": "dft" if several else None},
        "training": {"epochs": epochs, "batch_size": BATCH, "seed": seed, **(training or {})},
    })
    shutil.rmtree(out / name, ignore_errors=True)  # a run killed before it was recorded
    start = time.perf_counter()
    start_model = load_model(initial) if initial is not None else None
    outcome = train(prepare(config, initial=start_model, fine_tune=initial is not None,
                            initial_fidelity=initial_fidelity, progress=False),
                    progress=False)
    seconds = time.perf_counter() - start
    calc = MlpotCalculator(load_model(outcome.model_path))
    energies, forces = [], []
    for k, frame in enumerate(test):
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        energies.append(atoms.get_potential_energy())
        forces.append(np.array(atoms.get_forces()))
        if baseline is not None:
            energies[-1] += baseline[k].energy
            forces[-1] = forces[-1] + baseline[k].forces
    report = error_report(test, Predictions(np.array(energies), forces, [None] * len(test)))
    overall = report.overall.to_dict()
    result = {
        "run": name, "epochs": len(outcome.rows), "train_seconds": seconds,
        "model": str(outcome.model_path),
        "energy_mae": overall["energy"]["mae"], "energy_rmse": overall["energy"]["rmse"],
        "force_mae": overall["forces"]["mae"], "force_rmse": overall["forces"]["rmse"],
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the mlearn data directory")
    parser.add_argument("--element", default="Si")
    parser.add_argument("--teacher", nargs="+", default=["sevennet-0"],
                        help="the universal model(s) labelling the cheap data; a second one "
                        "labels the first one's structures again as its own fidelity (mf runs)")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.25])
    parser.add_argument("--draws", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=lambda v: None if v == "auto" else int(v),
                        default=30000, help="optimiser steps per run, or auto: the "
                        "recipe's epochs: auto (about 30,000 steps, 100 to 2,000 epochs)")
    parser.add_argument("--teacher-weight", type=float, default=1.0,
                        help="group weight of the teacher labels (DFT: 1)")
    parser.add_argument("--only", choices=("dft", "mf", "delta", "finetune", "mfft"),
                        help="only this kind of run")
    parser.add_argument("--no-full", action="store_true", help="skip dft@1")
    parser.add_argument("--explore-starts", type=int, default=0,
                        help="teacher-explored structures from this many starts (0: none)")
    parser.add_argument("--explore-steps", type=int, default=40)
    parser.add_argument("--explored-from", type=Path,
                        help="instead of exploring: these structures (an earlier run's "
                        "explored.xyz), labelled by --teacher")
    parser.add_argument("--explore-temperatures", type=float, nargs="+", default=[800, 1600])
    parser.add_argument("--explore-strains", type=float, nargs="+", default=[-0.02, 0.03])
    parser.add_argument("--finetune-training", default="{}",
                        help="JSON: training settings of the fine-tuning runs (their runs are "
                        "named finetune-TAG with --tag TAG)")
    parser.add_argument("--tag", default="", help="name suffix of the fine-tuning runs")
    parser.add_argument("--out", type=Path, default=Path("runs/multi_fidelity"))
    args = parser.parse_args()

    from mlpot.data import read_frames

    args.out.mkdir(parents=True, exist_ok=True)
    train_frames = read_frames(str(args.data / args.element / "training.json"))
    test = read_frames(str(args.data / args.element / "test.json"))
    first, *others = args.teacher
    teacher_train = teacher_frames(train_frames, first, args.out / "teacher.xyz")
    cheap = list(teacher_train)
    if args.explored_from and args.only in TEACHER_KINDS:
        from ase.io import read

        cheap += teacher_labels(read(args.explored_from, ":"), first,
                                args.out / "explored.xyz")
    elif args.explore_starts and args.only in TEACHER_KINDS:
        cheap += explored_frames(train_frames, first, args.out, args.explore_starts,
                                 args.explore_steps, args.explore_temperatures,
                                 args.explore_strains)
    teacher = write_frames(cheap, args.out / "teacher_train.xyz")
    teacher_group = {"name": "teacher", "files": [str(teacher)], "fidelity": "teacher",
                     "weight": args.teacher_weight}
    cheap_groups = [teacher_group]
    for other in others:  # the same structures, labelled by another teacher
        relabelled = teacher_frames(cheap, other, args.out / f"{other}.xyz")
        differences(cheap, relabelled)  # the same structures in the same order, or exit
        cheap_groups.append({**teacher_group, "name": other, "fidelity": other,
                             "files": [str(args.out / f"{other}.xyz")]})
    mf_kind = "mf" + (f"-{len(args.teacher)}t" if others else "") + (
        "" if args.teacher_weight == 1.0 else f"-w{args.teacher_weight:g}")
    finetune_kind = f"finetune-{args.tag}" if args.tag else "finetune"
    mfft_kind = f"mfft-{args.tag}" if args.tag else "mfft"
    teacher_test = None
    if args.only in (None, "delta"):
        teacher_test = teacher_frames(test, first, args.out / "teacher_test.xyz")
    path = args.out / "results.json"
    results = json.loads(path.read_text()) if path.is_file() else []
    done = {r["run"] for r in results}
    pretrained = None
    if args.only in (None, "finetune", "mfft"):
        if "pretrain" not in done:
            results.append(train_and_test("pretrain", [{**teacher_group, "fidelity": None,
                                                        "weight": 1.0}],
                                          len(cheap), test, args.out, args.steps, 0))
            path.write_text(json.dumps(results, indent=2))
        pretrained = Path(next(r["model"] for r in results if r["run"] == "pretrain"))
    for fraction in args.fractions:
        for draw in args.draws:
            chosen = draw_indices(len(train_frames), fraction, draw)
            n = len(chosen)
            subset = write_frames([train_frames[i] for i in chosen],
                                  args.out / f"dft_{fraction}_{draw}.xyz")
            dft = {"name": "dft", "files": [str(subset)], "fidelity": "dft"}
            delta = write_frames(differences([train_frames[i] for i in chosen],
                                             [teacher_train[i] for i in chosen]),
                                 args.out / f"delta_{fraction}_{draw}.xyz")
            for kind, groups, count, baseline, initial in (
                ("dft", [{**dft, "fidelity": None}], n, None, None),
                (mf_kind, [dft, *cheap_groups], n + len(cheap) * len(cheap_groups), None,
                 None),
                ("delta", [{"name": "delta", "files": [str(delta)]}], n, teacher_test, None),
                (finetune_kind, [{**dft, "fidelity": None}], n, None, pretrained),
                (mfft_kind, [dft, teacher_group], n + len(cheap), None, pretrained),
            ):
                name = f"{kind}@{fraction}-draw{draw}"
                if name not in done and args.only in (None, kind.split("-")[0]):
                    settings = json.loads(args.finetune_training) if initial else None
                    source = "teacher" if kind.startswith("mfft") else None
                    results.append(train_and_test(name, groups, count, test, args.out,
                                                  args.steps, draw, baseline, initial,
                                                  settings, source))
                    path.write_text(json.dumps(results, indent=2))
    if not args.no_full and "dft@1" not in done:
        full = {"name": "dft", "files": [str(args.data / args.element / "training.json")]}
        results.append(train_and_test("dft@1", [full], len(train_frames), test, args.out,
                                      args.steps, 0))
    path.write_text(json.dumps(results, indent=2))
    print(summary(results))


def summary(results: list[dict]) -> str:
    """Mean test errors per kind of run over its draws, and the issue's targets for every
    multi-fidelity kind at the smallest fraction."""
    kinds: dict[str, list[dict]] = {}
    for result in results:
        kinds.setdefault(result["run"].split("-draw")[0], []).append(result)
    keys = ("energy_mae", "energy_rmse", "force_mae", "force_rmse")
    mean = {kind: {k: float(np.mean([r[k] for r in runs])) for k in keys}
            for kind, runs in kinds.items()}
    lines = ["| run | draws | E MAE (meV/atom) | E RMSE | F MAE (eV/Å) | F RMSE |",
             "|---|---:|---:|---:|---:|---:|"]
    for kind in sorted(kinds):
        values = " | ".join(f"{mean[kind][k]:.4g}" for k in keys)
        lines.append(f"| {kind} | {len(kinds[kind])} | {values} |")
    for kind in sorted(k for k in kinds if k.startswith(("mf", "delta", "finetune"))
                       and k.endswith("@0.1")):
        for key in ("energy_mae", "force_mae"):
            mf = mean[kind][key]
            mid = mean.get("dft@0.25", {}).get(key, float("nan"))
            full = mean.get("dft@1", {}).get(key, float("nan"))
            lines.append(f"{kind} {key} {mf:.4g}: <= dft@0.25 ({mid:.4g}) {mf <= mid}; "
                         f"<= 1.5 x dft@1 ({1.5 * full:.4g}) {mf <= 1.5 * full}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
