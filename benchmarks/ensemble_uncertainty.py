"""Uncertainty benchmark: which ensemble flags real errors better, seeds or atomic-energy?

Data (generated here with ASE's EMT, an Al-Ni potential, so the true error of every prediction
is known): 16-atom fcc Al-Ni cells (2 x 2 x 1 conventional cells, lattice constant from
Vegard's law between EMT's Al and Ni), random site occupations, snapshots of Langevin MD with
EMT (2 fs steps, a snapshot every 20 steps, independent trajectories).

- training: 300 K, 25 % Ni (validation: a random 10 % of it);
- tests: "300 K" (same distribution, new trajectories), "1200 K", "strained" (random
  symmetric strain of 5 % per component, 300 K) and "60 % Ni" (other composition, 300 K).

Two ensembles of K members are trained from one configuration with `train_ensemble`: "seeds"
(member k: seed k, i.e. its own initial weights, batch order and validation split) and
"atomic_energy" (member 0 as above, members 1..K-1 also fit member 0's atomic energies).
On every test structure, the ensemble mean is compared with EMT:

- per atom: the force deviation sqrt(mean_k |F_k,i - mean F_i|^2) and the spread of the
  atomic energies, against the atom's force error |F_i - F_i,EMT|; the spread of the atomic
  energies also against the error of the atomic energy with respect to EMT's own split
  (EMT's per-atom energies; a convention, not an observable);
- per atom: the number of its descriptors outside the members' training range (the
  extrapolation count, no committee needed), against the force error;
- per structure: the spread of the total energy per atom, against |E - E_EMT| / N.

Metrics: Spearman's rank correlation between uncertainty and error, and the ROC AUC of the
uncertainty as a score for flagging the worst 10 % (by true error) of atoms or structures,
pooled over the four test sets. With --repeats R, everything (data, training seeds) is
repeated R times with other random seeds (repeat r: data seed 2020 + r, training seeds
10 r + k); tables give the mean over repeats, and each repeat's value in parentheses.

    python benchmarks/ensemble_uncertainty.py                           # minutes (idle cores)
    python benchmarks/ensemble_uncertainty.py --quick                   # smoke test
    python benchmarks/ensemble_uncertainty.py --markdown BENCHMARKS.md  # also write the section
    python benchmarks/ensemble_uncertainty.py --repeats 2               # two independent draws

Trained ensembles are kept in --workdir and reused (resumed) by later runs with the same
settings.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

SECTION = "Uncertainty: seeds vs atomic-energy ensembles"
KINDS = ("seeds", "atomic_energy")
LABELS = {"seeds": "seeds", "atomic_energy": "atomic-energy", "gap": "GAP"}
A_AL, A_NI = 4.05, 3.52  # Å, EMT's fcc lattice constants (Vegard's law in between)
SETS = {  # name: (temperature K, Ni fraction, strain)
    "300 K": (300.0, 0.25, 0.0),
    "1200 K": (1200.0, 0.25, 0.0),
    "strained": (300.0, 0.25, 0.05),
    "60 % Ni": (300.0, 0.60, 0.0),
}


def md_snapshots(
    n_frames: int,
    temperature: float,
    ni_fraction: float,
    strain: float,
    rng: np.random.Generator,
    per_trajectory: int = 8,
) -> list:
    """EMT-labelled snapshots (energy, forces, stress, atomic energies) of Langevin MD."""
    from ase import units
    from ase.build import bulk
    from ase.calculators.emt import EMT
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import thermalize_momenta

    frames = []
    while len(frames) < n_frames:
        a = A_AL + (A_NI - A_AL) * ni_fraction
        atoms = bulk("Al", "fcc", a=a, cubic=True).repeat((2, 2, 1))
        atoms.symbols[rng.permutation(len(atoms))[: round(ni_fraction * len(atoms))]] = "Ni"
        if strain:
            eps = rng.uniform(-strain, strain, (3, 3))
            atoms.set_cell(atoms.cell.array @ (np.eye(3) + 0.5 * (eps + eps.T)), scale_atoms=True)
        atoms.calc = EMT()
        thermalize_momenta(atoms, temperature_K=temperature, rng=rng)
        dyn = Langevin(
            atoms, 2 * units.fs, temperature_K=temperature, friction=0.02, fixcm=False, rng=rng
        )
        dyn.run(100)  # equilibrate
        for _ in range(min(per_trajectory, n_frames - len(frames))):
            dyn.run(20)
            snapshot = atoms.copy()
            snapshot.calc = SinglePointCalculator(
                snapshot,
                energy=atoms.get_potential_energy(),
                forces=atoms.get_forces(),
                stress=atoms.get_stress(),
                energies=atoms.get_potential_energies(),
            )
            frames.append(snapshot)
    return frames


def write_config(workdir: Path, epochs: int, seed: int) -> Path:
    config = workdir / "config.yaml"
    config.write_text(f"""
output: ensembles
data:
  train: [{{name: md300, files: [train.xyz]}}]
  validation: 0.1
descriptors: {{cutoff: 5.0, n_radial: 8, zeta: [1, 4]}}
model: {{hidden: [16, 16]}}
training:
  epochs: {epochs}
  batch_size: 8
  optimizer: {{lr: 0.005}}
  loss: {{energy: 1.0, forces: 0.1}}
  early_stopping: {{patience: 20}}
  seed: {seed}
""")
    return config


def write_gap_config(workdir: Path, n_sparse: int) -> Path:
    """The GAP family with its default settings (SOAP cutoff 5 Å like the networks'), no
    validation split (a closed-form fit has no early stopping to feed)."""
    config = workdir / "gap.yaml"
    config.write_text(f"""
output: gap
data:
  train: [{{name: md300, files: [train.xyz]}}]
  validation: 0
model: {{family: gap, n_sparse: {n_sparse}}}
""")
    return config


def fit_gap(workdir: Path, n_sparse: int) -> Path:
    from mlpot.config import load_config
    from mlpot.training.run import train_from_config

    output = workdir / f"gap-M{n_sparse}" / "model.pt"
    if output.is_file():
        return output
    outcome = train_from_config(load_config(write_gap_config(workdir, n_sparse)), progress=False)
    output.parent.mkdir(exist_ok=True)
    outcome.model_path.replace(output)
    return output


def predict(models: list[Path], test_sets: dict) -> dict:
    """Per set: arrays of true errors and uncertainties of the ensemble mean (or the GAP,
    which has no force deviation and no extrapolation count: NaN there)."""
    from mlpot.calculators import load_calculator
    from mlpot.uncertainty import load_ensemble_calculator

    gap = len(models) == 1
    calc = load_calculator(models[0]) if gap else load_ensemble_calculator(models)
    out = {}
    for name, frames in test_sets.items():
        keys = ("f_err", "f_dev", "e_std", "ae_err", "s_err", "s_std", "n_out")
        rows = {key: [] for key in keys}
        for reference in frames:
            atoms = reference.copy()
            atoms.calc = calc
            forces = atoms.get_forces()
            n = len(atoms)
            rows["f_err"].append(np.linalg.norm(forces - reference.get_forces(), axis=1))
            if gap:
                calc.get_property("energy_std", atoms)
            missing = np.full(n, np.nan)
            rows["f_dev"].append(missing if gap else calc.results["forces_deviation"])
            rows["e_std"].append(calc.results["energies_std"])
            rows["n_out"].append(missing if gap else calc.results["extrapolation"])
            emt_split = reference.get_potential_energies()
            rows["ae_err"].append(np.abs(calc.results["energies"] - emt_split))
            error = atoms.get_potential_energy() - reference.get_potential_energy()
            rows["s_err"].append([abs(error) / n])
            rows["s_std"].append([calc.results["energy_std"] / n])
        out[name] = {key: np.concatenate(values) for key, values in rows.items()}
    return out


PAIRS = (  # (label, uncertainty key, error key)
    ("atom: force deviation vs force error", "f_dev", "f_err"),
    ("atom: atomic-energy spread vs force error", "e_std", "f_err"),
    ("atom: atomic-energy spread vs error to EMT's atomic energy", "e_std", "ae_err"),
    ("atom: descriptors outside the training range vs force error", "n_out", "f_err"),
    ("structure: energy spread vs energy error", "s_std", "s_err"),
)


def scores(uncertainty: np.ndarray, error: np.ndarray) -> tuple[float, float]:
    """(Spearman rho, ROC AUC for flagging the worst 10 % by error)."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    worst = error >= np.quantile(error, 0.9)
    return float(spearmanr(uncertainty, error).statistic), float(roc_auc_score(worst, uncertainty))


def pooled(results: dict, key: str) -> np.ndarray:
    return np.concatenate([values[key] for values in results.values()])


def cell(values: list[float], digits: int) -> str:
    """The mean of the repeats' values, followed by each of them when there are several."""
    if np.isnan(values).all():
        return "n/a"
    text = f"{np.mean(values):.{digits}f}"
    if len(values) > 1:
        text += " (" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"
    return text


def tables(repeats: list[dict[str, dict]]) -> list[str]:
    kinds = list(repeats[0])
    lines = [
        "| uncertainty vs true error (pooled test sets) | "
        + " | ".join(f"{LABELS[k]}: Spearman | {LABELS[k]}: ROC AUC" for k in kinds) + " |",
        "|---|" + "---|---|" * len(kinds),
    ]
    for label, unc, err in PAIRS:
        cells = []
        for kind in kinds:
            if np.isnan(pooled(repeats[0][kind], unc)).all():
                cells += ["n/a", "n/a"]
                continue
            pairs = [scores(pooled(r[kind], unc), pooled(r[kind], err)) for r in repeats]
            cells += [cell([rho for rho, _ in pairs], 2), cell([auc for _, auc in pairs], 2)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| test set | kind | force RMSE eV/Å | energy MAE meV/atom | mean force deviation "
        "eV/Å | mean atomic-energy spread meV | mean energy spread meV/atom "
        "| extrapolating atoms % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in SETS:
        for kind in kinds:
            sets = [r[kind][name] for r in repeats]
            values = [
                cell([np.sqrt(np.mean(r["f_err"] ** 2) / 3) for r in sets], 3),
                cell([1000 * r["s_err"].mean() for r in sets], 1),
                cell([r["f_dev"].mean() for r in sets], 3),
                cell([1000 * r["e_std"].mean() for r in sets], 1),
                cell([1000 * r["s_std"].mean() for r in sets], 2),
                cell([100 * np.mean(r["n_out"] > 0) if not np.isnan(r["n_out"]).all()
                      else np.nan for r in sets], 0),
            ]
            lines.append(f"| {name} | {kind} | " + " | ".join(values) + " |")
    return lines


def run_repeat(args: argparse.Namespace, r: int) -> dict[str, dict]:
    """Data, both ensembles and their predictions for repeat r, in workdir/seed{r}."""
    from ase.io import write

    from mlpot.config import load_config
    from mlpot.uncertainty.train_ensemble import train_ensemble

    workdir = args.workdir / f"seed{r}"
    workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2020 + r)
    write(workdir / "train.xyz", md_snapshots(args.train_frames, 300.0, 0.25, 0.0, rng))
    test_sets = {
        name: md_snapshots(args.test_frames, *setting, rng) for name, setting in SETS.items()
    }
    config = load_config(write_config(workdir, args.epochs, 10 * r))
    results = {}
    for kind in [k for k in args.kinds if k != "gap"]:
        output = workdir / f"{kind}-K{args.members}-E{args.epochs}-N{args.train_frames}"
        models = train_ensemble(
            config,
            args.members,
            kind,
            output,
            resume=(output / "ensemble.json").is_file(),
            progress=False,
            report=lambda message: print(message, file=sys.stderr),
        )
        results[kind] = predict(models, test_sets)
    if "gap" in args.kinds:
        results["gap"] = predict([fit_gap(workdir, args.gap_sparse)], test_sets)
    return results


def write_markdown(
    path: Path, command: str, about: str, lines: list[str], title: str = SECTION
) -> None:
    """Replace (or append) the section `title` (this benchmark's) of the markdown file `path`."""
    section = "\n".join([f"## {title}", "", f"`{command}`", "", about, "", *lines, ""]) + "\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    path.write_text(
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4, help="models per ensemble")
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--train-frames", type=int, default=64)
    parser.add_argument("--test-frames", type=int, default=24, help="per test set")
    parser.add_argument("--repeats", type=int, default=1, help="independent draws")
    parser.add_argument("--kinds", nargs="+", choices=(*KINDS, "gap"), default=list(KINDS),
                        help="committees of these kinds, and/or a GAP (the gap family's "
                        "defaults; its predictive variance, no committee)")
    parser.add_argument("--gap-sparse", type=int, default=200,
                        help="the GAP's sparse points per element")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--workdir", type=Path, default=Path("runs/ensemble_uncertainty"))
    parser.add_argument("--markdown", type=Path, help="write the results section here")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.epochs, args.train_frames, args.test_frames = 2, 3, 16, 4
        args.gap_sparse = 20
    start = time.perf_counter()
    repeats = [run_repeat(args, r) for r in range(args.repeats)]
    lines = tables(repeats)
    print("\n".join(lines))
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.0f} s", file=sys.stderr)
    if args.markdown:
        command = "python benchmarks/ensemble_uncertainty.py " + " ".join(argv or sys.argv[1:])
        about = (
            f"EMT Al-Ni, 16-atom cells; {args.train_frames} training snapshots (300 K, 25 % Ni), "
            f"{args.test_frames} per test set; {args.members} members per ensemble, "
            f"{args.epochs} epochs (early stopping, patience 20), the same member seeds for "
            f"both kinds; {args.repeats} independent draw(s) of data and seeds. Wall time "
            f"{elapsed / 60:.0f} min on 2 shared CPU cores. See the docstring of "
            "benchmarks/ensemble_uncertainty.py for data and metrics."
        )
        write_markdown(args.markdown, command.strip(), about, lines)


if __name__ == "__main__":
    main()
