"""Accuracy on the Zuo et al. (2020) benchmark: mlpot's default recipe per element.

    python benchmarks/zuo.py --data ../shared/data/mlearn --elements Si Ge Li \
        --markdown BENCHMARKS.md

For each element, trains with a config that names only the data (training.json with a
random 10 % validation split) and the output directory, so every other choice is mlpot's
default recipe; then evaluates the best model on test.json, which training never sees.
Training runs as `mlpot train` in a child process, timed, with its peak resident memory.
`--set training.epochs=50` style overrides exist for experiments; the published table uses
none. `--seeds 0 1 2` trains each element once per seed (`training.seed`, which also draws the
validation split; seed 0 is the recipe's own, in --out/EL, others in --out/EL-seedN). Results:
a table per element for the first seed (MAE / RMSE per group and overall), a summary against
the published potentials, and with several seeds the MAE of each, written into BENCHMARKS.md
between markers. A bcc stand-in, tungsten labelled by a DFT-trained SNAP
(benchmarks/bcc_standin.py writes OUT/W/training.json and test.json), runs the same way with
`--data OUT --elements W`; the paper has no W, so its comparison columns read "-".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

# Test-set MAE of the published potentials (Zuo et al. 2020; NNP re-evaluated, see the data
# README): energy meV/atom, forces eV/Å.
PUBLISHED = {
    "Si": {"GAP": (2.91, 0.07), "MTP": (2.21, 0.06), "NNP": (5.63, 0.109)},
    "Ge": {"GAP": (2.06, 0.05), "MTP": (1.79, 0.05), "NNP": (4.89, 0.085)},
    "Li": {"GAP": (0.49, 0.01), "MTP": (0.49, 0.01), "NNP": (0.75, 0.017)},
}
BEGIN, END = "<!-- zuo:begin -->", "<!-- zuo:end -->"


def best_published(element: str) -> tuple[float | str, float | str]:
    """(energy, force) MAE of the better of GAP and MTP on each; "-" for an element the
    paper does not have (the run is reported without the comparison)."""
    pub = PUBLISHED.get(element)
    if pub is None:
        return "-", "-"
    return min(pub["GAP"][0], pub["MTP"][0]), min(pub["GAP"][1], pub["MTP"][1])


def published_nnp(element: str) -> tuple[float | str, float | str]:
    """(energy, force) MAE of the published NNP, "-" where the paper has no such element."""
    return PUBLISHED[element]["NNP"] if element in PUBLISHED else ("-", "-")


def apply_overrides(config: dict, overrides: list[str]) -> dict:
    """config with each `KEY.PATH=VALUE` (VALUE read as YAML) set in place."""
    for item in overrides:
        key, value = item.split("=", 1)
        node = config
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    return config


def write_config(data: Path, element: str, out: Path, overrides: list[str]) -> Path:
    config = {
        "output": str(out / "run"),
        "data": {
            "train": [{"name": "train", "files": [str(data / element / "training.json")]}],
            "validation": 0.1,
        },
    }
    apply_overrides(config, overrides)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def train(config: Path, threads: int) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of `mlpot train config` in a child process."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "NUMBA_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "mlpot.cli.main", "train", str(config), "--no-progress"]
    start = time.perf_counter()
    run_child(command, env)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb / 1024


def run_child(command: list[str], env: dict, log=None) -> None:
    """Run `command` (its output to the open file `log` if given); a SIGTERM to this process
    (or any exit) ends the child too."""
    child = subprocess.Popen(command, env=env, stdout=log,
                             stderr=None if log is None else subprocess.STDOUT)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        code = child.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            child.wait()
    if code:
        raise subprocess.CalledProcessError(code, command)


def evaluate(model: Path, data: Path, element: str, out: Path) -> dict:
    from mlpot.analysis.evaluate import evaluate_model
    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames

    frames = read_frames(str(data / element / "test.json"))
    report, _ = evaluate_model(load_calculator(model), frames, out / "test", plot=True,
                               title=f"{element}: mlpot default recipe")
    return report.to_dict()


def run_element(args, element: str, seed: int) -> dict:
    out = (args.out / (element if seed == 0 else f"{element}-seed{seed}")).resolve()
    if args.reuse and (out / "result.json").exists():
        return {"seed": seed, **json.loads((out / "result.json").read_text())}
    overrides = args.set + ([f"training.seed={seed}"] if seed else [])
    config = write_config(args.data.resolve(), element, out, overrides)
    wall, peak = train(config, args.threads)
    errors = evaluate(out / "run" / "model.pt", args.data.resolve(), element, out)
    result = {"element": element, "seed": seed, "train_s": wall, "peak_mb": peak,
              "errors": errors, "overrides": overrides}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _cell(metric: dict | None, scale: float, digits: int) -> str:
    if not metric:
        return "-"
    return f"{metric['mae'] * scale:.{digits}f} / {metric['rmse'] * scale:.{digits}f}"


def element_table(result: dict) -> list[str]:
    rows = [
        f"**{result['element']}**: training {result['train_s'] / 60:.1f} min, "
        f"peak memory {result['peak_mb']:,.0f} MB",
        "",
        "| group | structures | energy meV/atom | forces eV/Å | stress GPa |",
        "|---|---:|---:|---:|---:|",
    ]
    errors = result["errors"]
    named = [*sorted(errors["groups"].items()), ("overall", errors["overall"])]
    for name, g in named:
        rows.append(
            f"| {name} | {g['n_frames']} | {_cell(g.get('energy'), 1, 2)} | "
            f"{_cell(g.get('forces'), 1, 3)} | {_cell(g.get('stress'), 1, 3)} |"
        )
    return rows + [""]


def summary_table(results: list[dict]) -> list[str]:
    rows = [
        "| element | mlpot E | NNP E | best E (GAP/MTP) | mlpot F | NNP F | best F | "
        "train min | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        nnp_e, nnp_f = published_nnp(r["element"])
        best_e, best_f = best_published(r["element"])
        overall = r["errors"]["overall"]
        rows.append(
            f"| {r['element']} | {overall['energy']['mae']:.2f} | {nnp_e} | {best_e} | "
            f"{overall['forces']['mae']:.3f} | {nnp_f} | {best_f} | "
            f"{r['train_s'] / 60:.1f} | {r['peak_mb']:,.0f} |"
        )
    return rows + [""]


def seeds_table(runs: dict[str, list[dict]]) -> list[str]:
    """Test MAE of every seed's model and their mean, per element."""
    seeds = [r["seed"] for r in next(iter(runs.values()))]
    rows = [
        f"Over seeds {', '.join(map(str, seeds))} (`training.seed`; each seed also draws "
        "another validation split): test MAE of each seed's model, then the mean.",
        "",
        "| element | E per seed | E mean | best E | F per seed | F mean | best F |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for element, results in runs.items():
        best_e, best_f = best_published(element)
        energies = [r["errors"]["overall"]["energy"]["mae"] for r in results]
        forces = [r["errors"]["overall"]["forces"]["mae"] for r in results]
        rows.append(
            f"| {element} | {', '.join(f'{e:.2f}' for e in energies)} | "
            f"{sum(energies) / len(energies):.2f} | {best_e} | "
            f"{', '.join(f'{f:.4f}' for f in forces)} | {sum(forces) / len(forces):.4f} | "
            f"{best_f} |"
        )
    return rows + [""]


def markdown(runs: dict[str, list[dict]], command: str) -> str:
    results = [seeded[0] for seeded in runs.values()]
    lines = [
        BEGIN,
        "## Accuracy: Zuo et al. benchmark (default recipe)",
        "",
        f"`{command}`",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        "test-set MAE (energy meV/atom, forces eV/Å); per group MAE / RMSE below.",
        "",
        *summary_table(results),
    ]
    if len(next(iter(runs.values()))) > 1:
        lines += seeds_table(runs)
    for r in results:
        lines += element_table(r)
    return "\n".join(lines + [END]) + "\n"


def write_markdown(path: Path, text: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the text between the markers begin and end in path, or append it."""
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in old:
        head, rest = old.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        new = head + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/mlearn"))
    parser.add_argument("--elements", nargs="+", default=["Si", "Ge", "Li"])
    parser.add_argument("--out", type=Path, default=Path("runs/zuo"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override for experiments, e.g. training.epochs=50")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0],
                        help="train each element once per seed; the tables per group show the "
                        "first")
    parser.add_argument("--markdown", type=Path, help="write the tables into this file")
    parser.add_argument("--reuse", action="store_true",
                        help="take an element's finished result.json from --out if present "
                        "(elements can then run in separate processes)")
    args = parser.parse_args()
    if any(item.startswith("training.seed=") for item in args.set):
        parser.error("choose seeds with --seeds, not --set training.seed=N")
    runs = {el: [run_element(args, el, seed) for seed in args.seeds] for el in args.elements}
    command = "python benchmarks/zuo.py " + " ".join(sys.argv[1:])
    text = markdown(runs, command)
    print(text)
    if args.markdown:
        write_markdown(args.markdown, text)


if __name__ == "__main__":
    main()
