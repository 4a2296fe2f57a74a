"""What a label buys: held-out errors of Al-Ni models trained on structures chosen four ways,
at equal numbers of labelled structures, with ASE's EMT as the oracle.

Held-out set (generated once with EMT, seed 2028, never trained on): 32-atom fcc cells at
0, 25, 50, 75 and 100 % Ni at 300 and 900 K; liquids (2000 K) at 25, 50 and 75 % Ni; (100)
and (111) Ni3Al slabs at 600 K; cells with a vacancy at 900 K; amorphous quenches (2500 K
melt, quenched to 300 K); randomly strained cells (5 % per component) at 600 K.

Every strategy starts from the active-learning example's starting structures (8-atom fcc Al,
fcc Ni, L1_2 Ni3Al) and their composition variants (25 % of Ni -> Al and Al -> Ni):

(a) uniform:   EMT MD (NVT, strains -2/0/+3 %, 300/900/1500 K), snapshots evenly spaced over
               all trajectories;
(b) loop:      `mlpot active` as it is (committee of 2 bootstrap members, plain MD);
(c) loop+metaD: the same loop with the metadynamics exploration kind instead of plain MD;
(d) diversity: `mlpot sample` with EMT: plain MD for half the steps of (a), descriptor
               metadynamics for the other half, normal modes; farthest-point selection on
               descriptor summaries (no committee), in the descriptor space of (b)'s
               iteration-0 model;
(e) diversity, then loop: (b)'s loop whose starting set is (d)'s first --seeded-start
               labels (no rattled copies), run for --seeded-iterations rounds.

The loops and (d) count the 15 labels of iteration 0 (the starts and 4 rattled copies of
each) in their budget; (d) needs them for its descriptor model. At each budget B and seed,
one network (the same settings for every strategy) is trained on the first B labelled
structures of the strategy (the loops: in the order they were labelled; (d): farthest-point
order; (a): evenly spaced) and scored on the held-out set. The final networks are small and
fixed ([16, 16], radial functions only, about 6,000 structure-epochs), or with --recipe
mlpot's default recipe (what `mlpot train` makes of a config that names only the data).

Coverage: the held-out atoms' nearest-neighbour distances (`mlpot analyze coverage`'s score,
the distance to the nearest sampled environment over the threshold calibrated on the plain-MD
set) for (d)'s plain-MD and metadynamics structures: the same grid and number of steps.

    python benchmarks/label_budget.py --markdown BENCHMARKS.md
    python benchmarks/label_budget.py --quick               # smoke test (minutes)

Everything is kept in --workdir and reused by a later run with the same settings.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

SECTION = "Label budget: MD snapshots vs active learning vs metadynamics vs diversity"
STRATEGIES = ("a uniform MD", "b loop", "c loop+metaD", "d diversity",
              "e diversity, then loop")
TEMPERATURES = [300.0, 900.0, 1500.0]
STRAINS = [-0.02, 0.0, 0.03]
DESCRIPTORS = {"cutoff": 5.5, "n_radial": 8, "angular_shells": 0, "zeta": [1, 4]}


def emt_labelled(atoms):
    """A copy of atoms with EMT energy, forces and stress."""
    from ase.calculators.emt import EMT
    from ase.calculators.singlepoint import SinglePointCalculator

    out = atoms.copy()
    out.calc = EMT()
    results = {"energy": out.get_potential_energy(), "forces": out.get_forces()}
    if out.pbc.all():
        results["stress"] = out.get_stress()
    out.calc = SinglePointCalculator(out, **results)
    return out


def emt_md(atoms, temperature, steps, interval, seed, quench_to=None):
    """Snapshots every interval steps of EMT Langevin MD (2 fs); with quench_to, the
    temperature falls linearly to it over the run."""
    from ase.calculators.emt import EMT

    from mlpot.simulation.md import run_md

    kept = []
    if quench_to is None:
        run_md(atoms, EMT(), ensemble="nvt", temperature_K=temperature, timestep_fs=2.0,
               steps=steps, interval=interval, seed=seed, progress=False,
               observers=[lambda a, step: step and kept.append(emt_labelled(a))])
        return kept
    for k, t in enumerate(np.linspace(temperature, quench_to, 5)):
        run_md(atoms, EMT(), ensemble="nvt", temperature_K=t, timestep_fs=2.0,
               steps=steps // 5, interval=steps // 5, seed=seed + k, progress=False)
    return [emt_labelled(atoms)]


def fcc(ni_fraction, repeat, rng, a=None):
    from ase.build import bulk

    a = a or 4.05 + (3.52 - 4.05) * ni_fraction  # Vegard's law between EMT's Al and Ni
    atoms = bulk("Al", "fcc", a=a, cubic=True).repeat(repeat)
    atoms.symbols[rng.permutation(len(atoms))[: round(ni_fraction * len(atoms))]] = "Ni"
    return atoms


def heldout_set(per_kind: int, seed: int = 2028) -> dict[str, list]:
    """The broad held-out set: kind -> EMT-labelled structures."""
    from ase.build import fcc100, fcc111

    rng = np.random.default_rng(seed)
    out: dict[str, list] = {}

    def add(kind, frames):
        out.setdefault(kind, []).extend(frames)

    for x in (0.0, 0.25, 0.5, 0.75, 1.0):
        for t in (300.0, 900.0):
            add("solid", emt_md(fcc(x, (2, 2, 2), rng), t, 200, 100, int(rng.integers(1e6))))
    for x in (0.25, 0.5, 0.75):
        add("liquid", emt_md(fcc(x, (2, 2, 2), rng), 2000.0, 600, 150, int(rng.integers(1e6))))
    for build in (fcc100, fcc111):
        slab = build("Ni", size=(2, 2, 4), a=3.57, vacuum=6.0, periodic=True)
        slab.symbols[rng.permutation(len(slab))[: len(slab) // 4]] = "Al"
        add("surface", emt_md(slab, 600.0, 300, 60, int(rng.integers(1e6))))
    for x in (0.25, 0.75):
        cell = fcc(x, (2, 2, 2), rng)
        del cell[int(rng.integers(len(cell)))]
        add("vacancy", emt_md(cell, 900.0, 300, 75, int(rng.integers(1e6))))
    for _ in range(per_kind):
        x = rng.choice([0.25, 0.5, 0.75])
        add("amorphous", emt_md(fcc(x, (2, 2, 2), rng), 2500.0, 500, 500,
                                int(rng.integers(1e6)), quench_to=300.0))
    for _ in range(per_kind // 2):
        cell = fcc(rng.choice([0.25, 0.5]), (2, 2, 2), rng)
        eps = rng.uniform(-0.05, 0.05, (3, 3))
        cell.set_cell(cell.cell.array @ (np.eye(3) + 0.5 * (eps + eps.T)), scale_atoms=True)
        add("strained", emt_md(cell, 600.0, 200, 100, int(rng.integers(1e6))))
    return out


def starts_and_variants(seed: int = 0):
    """The example's starting structures and their composition variants (8-atom cells)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "examples" / "alni_active"))
    from make_structures import starting_structures

    from mlpot.active.config import Substitution
    from mlpot.active.explore import substituted

    starts = starting_structures()
    rng = np.random.default_rng(seed)
    out = []
    for atoms in starts:
        out.append(atoms)
        for rule in (Substitution(replace="Ni", by="Al", fraction=0.25),
                     Substitution(replace="Al", by="Ni", fraction=0.25)):
            changed = substituted(atoms, rule, rng)
            if changed is not None and (changed.numbers != atoms.numbers).any():
                out.append(changed)
    return starts, out


def active_config(workdir: Path, name: str, kinds: list[str], args,
                  start: str = "start.xyz", rattle_copies: int = 4,
                  iterations: int | None = None) -> Path:
    """The loop's configuration (the example's, smaller): written as YAML."""
    import yaml

    config = {
        "output": name,
        "start": {"structures": [start], "rattle_copies": rattle_copies,
                  "rattle_stdev": 0.1},
        "oracle": {"calculator": "emt"},
        "executor": {"kind": "process", "workers": 1},
        "ensemble": {"members": 2, "kind": "seeds", "bootstrap": True},
        "explore": {
            "kinds": kinds, "temperatures": TEMPERATURES, "strains": STRAINS,
            "substitutions": [{"replace": "Ni", "by": "Al", "fraction": 0.25},
                              {"replace": "Al", "by": "Ni", "fraction": 0.25}],
            "steps": args.loop_steps, "timestep": 2.0, "interval": args.loop_steps // 10,
            "closest_approach": 0.85, "seed": 0,
            "metadynamics": {"height": 0.2, "widths": 0.05, "stride": 5},
        },
        "select": {"measure": "max_force_deviation", "lower": 0.1, "upper": 1.5,
                   "max_per_iteration": args.per_iteration, "min_distance": 0.01},
        "iterations": iterations or args.iterations,
        "validation": 0.0,
        "descriptors": DESCRIPTORS,
        "model": {"hidden": [16, 16], "pca": False},
        "training": {"epochs": args.loop_epochs, "batch_size": 8,
                     "optimizer": {"name": "adam", "lr": 0.005},
                     "loss": {"energy": 1.0, "forces": 0.2, "stress": 0.0}, "seed": 0},
    }
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run_loop(workdir: Path, name: str, kinds: list[str], args,
             **start) -> tuple[list, str | None]:
    """The loop's labelled structures in the order they were labelled; `start`: the starting
    set's file, rattled copies and the rounds (active_config)."""
    from mlpot.active.config import load_active_config
    from mlpot.active.label import LabelStore
    from mlpot.active.loop import run_active
    from mlpot.active.state import RunDirectory

    cfg = load_active_config(active_config(workdir, name, kinds, args, **start))
    dirs = RunDirectory(cfg.output)
    state = run_active(cfg, resume=dirs.state.exists(), plot=False)
    labels = [a for it in state.iterations for a in LabelStore(dirs.iteration(it.index)).labelled()]
    print(f"{name}: {len(labels)} labels in {len(state.iterations)} iterations "
          f"({state.stop_reason})", file=sys.stderr)
    return labels, state.stop_reason


def sample_pools(workdir: Path, variants, descriptor_model: Path, args):
    """(d)'s sampling run (EMT, `mlpot sample`'s library) and (a)'s MD pool."""
    from ase.io import write

    from mlpot.sampling.config import SampleConfig
    from mlpot.sampling.run import run_sampling

    write(workdir / "variants.xyz", variants)
    grid = {"temperatures": TEMPERATURES, "strains": STRAINS, "interval": args.interval}
    half = args.md_steps // 2
    pools = {}
    for name, samplers, budget in (
        ("uniform", [{"kind": "md", "steps": args.md_steps, **grid}], 1),
        ("diversity", [{"kind": "md", "steps": half, **grid},
                       {"kind": "metadynamics", "name": "metad", "steps": half, "height": 0.2,
                        "widths": 0.05, "stride": 5, **grid},
                       {"kind": "normal_modes", "temperatures": TEMPERATURES, "samples": 5}],
         max(args.budgets)),
    ):
        cfg = SampleConfig.model_validate(
            {"output": name, "structures": ["variants.xyz"], "calculator": {"calculator": "emt"},
             "descriptor_model": str(descriptor_model), "samplers": samplers,
             "select": {"budget": budget}, "seed": 0},
            context={"base_dir": workdir},
        )
        run_sampling(cfg)
        pools[name] = workdir / name
    return pools


def train_and_score(workdir: Path, labels: list, seed: int, heldout: list, epochs: int,
                    recipe: bool = False) -> dict:
    """Train one network on labels (seed) and return held-out errors; `recipe`: mlpot's
    default recipe (automatic descriptors and epochs, default network and loss), as `mlpot
    train` runs a config that names only the data."""
    from ase.io import write

    from mlpot.config import load_config
    from mlpot.training.run import train_from_config

    workdir.mkdir(parents=True, exist_ok=True)
    scores = workdir / "scores.json"
    if scores.is_file():
        return json.loads(scores.read_text())
    shutil.rmtree(workdir / "run", ignore_errors=True)  # killed before it was scored
    write(workdir / "train.xyz", labels)
    (workdir / "config.yaml").write_text(json.dumps(final_config(seed, epochs, recipe)))
    outcome = train_from_config(load_config(workdir / "config.yaml"), progress=False)
    result = score(outcome.model_path, heldout)
    scores.write_text(json.dumps(result))
    return result


def final_config(seed: int, epochs: int, recipe: bool) -> dict:
    """The final model's training config (data in train.xyz): the small fixed network, or
    with `recipe` one that names only the data and the seed."""
    data = {"train": [{"name": "train", "files": ["train.xyz"]}]}
    if recipe:
        return {"output": "run", "data": data, "training": {"seed": seed}}
    return {
        "output": "run",
        "data": {**data, "validation": 0.0},
        "descriptors": DESCRIPTORS,
        "model": {"hidden": [16, 16], "pca": False},
        "training": {"epochs": epochs, "batch_size": 8, "optimizer": {"name": "adam",
                     "lr": 0.005}, "schedule": {"name": "cosine", "min_lr": 0.0001},
                     "loss": {"energy": 1.0, "forces": 0.2, "stress": 0.0}, "seed": seed},
    }


def score(model_path: Path, heldout: dict[str, list]) -> dict:
    """Force RMSE (eV/Å) and energy MAE (meV/atom) over the held-out set, overall and per kind."""
    from mlpot.calculators import load_calculator

    calc = load_calculator(model_path)
    out, all_f, all_e = {}, [], []
    for kind, frames in heldout.items():
        f_err, e_err = [], []
        for reference in frames:
            atoms = reference.copy()
            atoms.calc = calc
            f_err.append((atoms.get_forces() - reference.get_forces()).ravel())
            e_err.append(abs(atoms.get_potential_energy() - reference.get_potential_energy())
                         / len(atoms))
        f, e = np.concatenate(f_err), np.array(e_err)
        out[kind] = {"forces_rmse": float(np.sqrt(np.mean(f**2))), "energy_mae": 1000 * e.mean()}
        all_f.append(f)
        all_e.append(e)
    out["all"] = {"forces_rmse": float(np.sqrt(np.mean(np.concatenate(all_f) ** 2))),
                  "energy_mae": float(1000 * np.concatenate(all_e).mean())}
    return out


def coverage_scores(model_path: Path, pool: Path, heldout: dict[str, list]) -> dict:
    """Held-out coverage by (d)'s plain-MD and metadynamics structures: the scores of `mlpot
    analyze coverage` with the plain-MD set's calibrated thresholds for both."""
    from ase.io import read

    from mlpot.analysis.atom_descriptors import atom_descriptors
    from mlpot.analysis.coverage import coverage, coverage_reference
    from mlpot.data.ase_files import frame_from_atoms
    from mlpot.models.serialization import load_model

    model = load_model(model_path)
    samples = read(pool / "samples.xyz", ":")
    frames = [frame_from_atoms(a, "heldout") for kind in heldout for a in heldout[kind]]
    data = atom_descriptors(model, frames)
    sets = {name: [frame_from_atoms(a, name) for a in samples if a.info["sampler"] == name]
            for name in ("md0", "metad")}
    references = {name: coverage_reference(atom_descriptors(model, f)) for name, f in sets.items()}
    thresholds = references["md0"].thresholds[data.species]
    out = {}
    for name, reference in references.items():
        result = coverage(reference, data)
        scores = result.distances / thresholds
        per_structure = np.zeros(data.n_frames)
        np.maximum.at(per_structure, data.frame, scores)
        out[name] = {"structures": len(sets[name]),
                     "atoms_covered": float(np.mean(scores <= 1.0)),
                     "mean_score": float(scores.mean()),
                     "structures_flagged": float(np.mean(per_structure > 1.0))}
    return out


def ordered_labels(pools: dict, loops: dict, initial: list) -> dict[str, list]:
    """Each strategy's labelled structures in the order a budget takes them (but e's)."""
    from ase.io import read

    uniform = read(pools["uniform"] / "samples.xyz", ":")
    selected = read(pools["diversity"] / "selected.xyz", ":")
    return {
        "a uniform MD": uniform,  # thinned evenly per budget (see take)
        "b loop": loops["b"],
        "c loop+metaD": loops["c"],
        "d diversity": initial + [emt_labelled(a) for a in selected],
    }


def take(strategy: str, labels: list, budget: int) -> list:
    if strategy.startswith("a"):
        index = np.linspace(0, len(labels) - 1, budget).round().astype(int)
        return [emt_labelled(labels[k]) for k in index]
    return labels[:budget]


def table(results: dict, budgets: list[int], seeds: list[int]) -> list[str]:
    lines = ["| strategy | labels | force RMSE eV/Å (all) | energy MAE meV/atom (all) | "
             "force RMSE per kind (mean over seeds) |", "|---|---|---|---|---|"]
    for strategy in STRATEGIES:
        for budget in budgets:
            runs = [results[strategy, budget, s] for s in seeds if (strategy, budget, s) in results]
            if not runs:
                continue
            f = [r["all"]["forces_rmse"] for r in runs]
            e = [r["all"]["energy_mae"] for r in runs]
            kinds = ", ".join(f"{k} {np.mean([r[k]['forces_rmse'] for r in runs]):.3f}"
                              for k in runs[0] if k != "all")
            lines.append(f"| {strategy} | {budget} | {np.mean(f):.3f} ± {np.std(f):.3f} | "
                         f"{np.mean(e):.1f} ± {np.std(e):.1f} | {kinds} |")
    return lines


def verdict(results: dict, cover: dict, reference_budget: int = 400, limit: int = 133) -> list[str]:
    """The issue's two targets, judged on the mean over seeds: does the best of (b)-(e) with at
    most `limit` labels reach (a)'s force RMSE (and energy MAE) at reference_budget labels;
    does metadynamics cover more held-out atoms than plain MD."""

    def mean(strategy, budget, key):
        runs = [v["all"][key] for (s, b, _), v in results.items() if (s, b) == (strategy, budget)]
        return float(np.mean(runs)) if runs else None

    lines = []
    for key, unit in (("forces_rmse", "eV/Å"), ("energy_mae", "meV/atom")):
        target = mean(STRATEGIES[0], reference_budget, key)
        if target is None:
            continue
        best = min(((mean(s, b, key), s, b) for s in STRATEGIES[1:] for b in
                    sorted({b for (t, b, _) in results if t == s and b <= limit})
                    if mean(s, b, key) is not None), default=None)
        if best is None:
            continue
        met = "met" if best[0] <= target else "not met"
        lines.append(f"- {key}: (a) with {reference_budget} labels {target:.3f} {unit}; best "
                     f"of (b)-({STRATEGIES[-1][0]}) with at most {limit}: {best[1]} at "
                     f"{best[2]}, {best[0]:.3f} {unit}: target {met}.")
    md, metad = cover.get("md0"), cover.get("metad")
    if md and metad:
        met = "met" if metad["atoms_covered"] > md["atoms_covered"] else "not met"
        lines.append(f"- coverage: metadynamics {100 * metad['atoms_covered']:.1f} % of held-out "
                     f"atoms within the threshold, plain MD {100 * md['atoms_covered']:.1f} % "
                     f"(same runs and steps): target {met}.")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[50, 100, 133, 200, 400],
                        help="labels for (b)-(e)")
    parser.add_argument("--uniform-budgets", type=int, nargs="+", default=None,
                        help="labels for (a) (default: --budgets)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--frame-epochs", type=int, default=6000,
                        help="final models train max(--min-epochs, this / labels) epochs")
    parser.add_argument("--min-epochs", type=int, default=15)
    parser.add_argument("--only", nargs="+", choices=("a", "b", "c", "d", "e"),
                        help="train the final models of these strategies only (a later run "
                        "without --only reads them back)")
    parser.add_argument("--recipe", action="store_true",
                        help="final models: mlpot's default recipe (kept in models-recipe/)")
    parser.add_argument("--loop-epochs", type=int, default=30, help="loop members, per round")
    parser.add_argument("--loop-steps", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--per-iteration", type=int, default=40)
    parser.add_argument("--seeded-start", type=int, default=50,
                        help="(e): the loop starts from this many of (d)'s labels")
    parser.add_argument("--seeded-iterations", type=int, default=3, help="(e)'s rounds")
    parser.add_argument("--md-steps", type=int, default=600, help="(a) per run; (d) half MD")
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--heldout-per-kind", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--workdir", type=Path, default=Path("runs/label_budget"))
    parser.add_argument("--markdown", type=Path, help="write the results section here")
    args = parser.parse_args(argv)
    args.uniform_budgets = args.uniform_budgets or args.budgets
    if args.quick:
        args.budgets, args.seeds, args.frame_epochs, args.loop_epochs = [20, 30], [0], 60, 3
        args.loop_steps, args.iterations, args.per_iteration = 20, 2, 10
        args.md_steps, args.interval, args.heldout_per_kind = 40, 10, 2
        args.seeded_start, args.seeded_iterations = 20, 1
    start = time.perf_counter()
    lines, about = run(args)
    elapsed = time.perf_counter() - start
    print("\n".join(lines))
    print(f"{elapsed:.0f} s", file=sys.stderr)
    if args.markdown:
        from ensemble_uncertainty import write_markdown

        command = "python benchmarks/label_budget.py " + " ".join(argv or sys.argv[1:])
        about += f" Wall time {elapsed / 60:.0f} min on one core (taskset -c 0)."
        write_markdown(args.markdown, command.strip(), about, lines, SECTION)


def run(args) -> tuple[list[str], str]:
    from ase.io import read, write

    from mlpot.active.state import RunDirectory

    workdir = args.workdir.absolute()
    workdir.mkdir(parents=True, exist_ok=True)
    held = workdir / "heldout.json"
    if not held.is_file():
        sets = heldout_set(args.heldout_per_kind)
        for kind, frames in sets.items():
            write(workdir / f"heldout_{kind}.xyz", frames)
        held.write_text(json.dumps(list(sets)))
    heldout = {k: read(workdir / f"heldout_{k}.xyz", ":") for k in json.loads(held.read_text())}
    starts, variants = starts_and_variants()
    write(workdir / "start.xyz", starts)
    loops, stops = {}, {}
    loops["b"], stops["b"] = run_loop(workdir, "loop_md", ["md"], args)
    loops["c"], stops["c"] = run_loop(workdir, "loop_metad", ["metadynamics"], args)
    descriptor_model = RunDirectory(workdir / "loop_md").member_models(0)[0]
    pools = sample_pools(workdir, variants, descriptor_model, args)
    labels = ordered_labels(pools, loops, loops["b"][:15])
    write(workdir / "seeded_start.xyz", labels["d diversity"][: args.seeded_start])
    labels["e diversity, then loop"], stops["e"] = run_loop(
        workdir, "loop_seeded", ["md"], args, start="seeded_start.xyz", rattle_copies=0,
        iterations=args.seeded_iterations)
    available = {s: len(v) for s, v in labels.items()}
    results = {}
    models = workdir / ("models-recipe" if args.recipe else "models")
    for seed in args.seeds:
        for strategy, ordered in labels.items():
            if args.only and strategy[0] not in args.only:
                continue
            budgets = args.uniform_budgets if strategy.startswith("a") else args.budgets
            for budget in budgets:
                if budget > len(ordered):  # a loop that labelled fewer: not at this budget
                    continue
                if strategy.startswith("e") and budget <= args.seeded_start:
                    continue  # (d)'s labels
                chosen = take(strategy, ordered, budget)
                epochs = max(args.min_epochs, round(args.frame_epochs / len(chosen)))
                where = models / f"{strategy[0]}-{budget}-{seed}"
                results[strategy, budget, seed] = train_and_score(
                    where, chosen, seed, heldout, epochs, args.recipe)
    cover = coverage_scores(descriptor_model, pools["diversity"], heldout)
    budgets = sorted(set(args.budgets) | set(args.uniform_budgets))
    lines = table(results, budgets, args.seeds)
    lines += ["", "| held-out coverage by | structures | atoms within threshold | mean score "
              "| held-out structures flagged |", "|---|---|---|---|---|"]
    for name, row in cover.items():
        label = "plain MD" if name == "md0" else "descriptor metadynamics"
        lines.append(f"| {label} | {row['structures']} | {100 * row['atoms_covered']:.1f} % | "
                     f"{row['mean_score']:.2f} | {100 * row['structures_flagged']:.0f} % |")
    lines += ["", "Targets (means over seeds):", *verdict(results, cover)]
    write_json_summary(workdir, results, cover, stops, available)
    sizes = {k: len(v) for k, v in heldout.items()}
    final = ("final models: mlpot's default recipe (automatic descriptors and epochs, "
             "default network, loss and validation split)" if args.recipe else
             f"final networks [16, 16], max({args.min_epochs}, {args.frame_epochs} / labels) "
             "epochs (about the same number of optimiser steps at every budget)")
    about = (f"Held-out set: {sizes} (32-atom cells, slabs of 16, vacancies of 31). Budgets "
             f"(a) {args.uniform_budgets}, (b)-(e) {args.budgets}; seeds {args.seeds}; "
             f"{final}; loops: "
             f"{args.iterations} rounds of at most {args.per_iteration} labels, "
             f"{args.loop_steps} MD steps per run, members trained {args.loop_epochs} epochs "
             f"per round; loop stops: b: {stops['b']} ({available['b loop']} labels); c: "
             f"{stops['c']} ({available['c loop+metaD']} labels); e: {stops['e']} "
             f"({available['e diversity, then loop']} labels, from {args.seeded_start} of "
             f"d's). (a) {args.md_steps} "
             f"steps per MD run; (d) {args.md_steps // 2} MD + {args.md_steps // 2} "
             "metadynamics steps per run. See the docstring of benchmarks/label_budget.py.")
    return lines, about


def write_json_summary(workdir, results, cover, stops, available) -> None:
    rows = [{"strategy": s, "budget": b, "seed": r, **v} for (s, b, r), v in results.items()]
    (workdir / "summary.json").write_text(json.dumps(
        {"results": rows, "coverage": cover, "loop_stops": stops, "available": available},
        indent=1))


if __name__ == "__main__":
    main()
