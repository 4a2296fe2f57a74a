"""Which epoch's model to keep: the selection rules on the Zuo data, in one training per run.

    python benchmarks/model_selection.py --data ../shared/data/mlearn --elements Si Ge Li \
        --seeds 0 1 2 --out runs/selection --markdown BENCHMARKS.md

Each element and seed trains once with the default recipe (the config zuo.py writes; seed 0
is the recipe's own), and the model every rule of mlpot.training.selection would keep is
saved beside the run (model-RULE.pt): the rules see the same validation losses of the same
training, so they differ only in the epoch they pick. Each pick is evaluated on test.json.

Leave-one-element-out: for each element, the rule with the lowest mean test energy MAE
relative to the lowest rule on the other elements, and how that choice does on the left-out
one. Results per run in OUT/EL-seedS/result.json (reused when present: the runs resume).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zuo import evaluate, write_config, write_markdown  # noqa: E402

BEGIN, END = "<!-- selection:begin -->", "<!-- selection:end -->"


def train_with_all_rules(config_path: Path, out: Path) -> dict:
    """Train once; returns {rule: picked epoch} and writes out/model-RULE.pt for each rule."""
    from mlpot.config import load_config
    from mlpot.models.serialization import save_model
    from mlpot.training.run import prepare
    from mlpot.training.selection import RULES, EpochSelection
    from mlpot.training.trainer import Trainer

    run = prepare(load_config(config_path), progress=False)
    picks: dict[str, int] = {}

    class AllRules(Trainer):
        rules = {r: EpochSelection(r) for r in RULES}

        def _track_best(self, row: dict) -> None:
            super()._track_best(row)
            for rule, selection in self.rules.items():
                if selection.judge(row["val_loss"], row["val_loss_se"])[1]:
                    picks[rule] = self.epoch
                    metadata = {**self.metadata, "epoch": self.epoch}
                    save_model(self.evaluated_model, out / f"model-{rule}.pt", metadata)

    trainer = AllRules(run.model, run.train_set, run.validation_set, run.settings,
                       run.files.root, run.metadata, progress=False)
    trainer.run()
    return {"picks": picks, "epochs": trainer.epoch,
            "n_validation": len(run.validation_set)}


def run_one(args, element: str, seed: int) -> dict:
    out = (args.out / f"{element}-seed{seed}").resolve()
    if (out / "result.json").exists():
        return json.loads((out / "result.json").read_text())
    overrides = args.set + ([f"training.seed={seed}"] if seed else [])
    config = write_config(args.data.resolve(), element, out, overrides)
    start = time.perf_counter()
    trained = train_with_all_rules(config, out)
    result = {"element": element, "seed": seed, "train_s": time.perf_counter() - start,
              **trained, "errors": {}}
    for rule in trained["picks"]:
        report = evaluate(out / f"model-{rule}.pt", args.data.resolve(), element, out / rule)
        result["errors"][rule] = report
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _mae(result: dict, rule: str, quantity: str) -> float:
    return result["errors"][rule]["overall"][quantity]["mae"]


def runs_table(results: list[dict], rules: list[str]) -> list[str]:
    head = " | ".join(f"{r} epoch | {r} E / F" for r in rules)
    rows = [f"| element | seed | epochs | validation frames | {head} |",
            "|---|---:|---:|---:|" + "---:|---|" * len(rules)]
    for r in results:
        cells = " | ".join(
            f"{r['picks'][rule]} | {_mae(r, rule, 'energy'):.2f} / {_mae(r, rule, 'forces'):.4f}"
            for rule in rules
        )
        rows.append(f"| {r['element']} | {r['seed']} | {r['epochs']} | {r['n_validation']} | "
                    f"{cells} |")
    return rows + [""]


def ratio(results: list[dict], rule: str, quantity: str) -> float:
    """Mean over runs of rule's test MAE over the lowest rule's."""
    return statistics.mean(_mae(r, rule, quantity) / _mae(r, "lowest", quantity)
                           for r in results)


def leave_one_out(results: list[dict], rules: list[str]) -> list[str]:
    elements = sorted({r["element"] for r in results})
    rows = ["| left out | rule chosen on the others | its E / F ratio there | "
            "on the left-out element |", "|---|---|---|---|"]
    for left in elements:
        others = [r for r in results if r["element"] != left]
        held = [r for r in results if r["element"] == left]
        if not others:
            continue
        chosen = min(rules, key=lambda rule: ratio(others, rule, "energy"))
        rows.append(
            f"| {left} | {chosen} | {ratio(others, chosen, 'energy'):.3f} / "
            f"{ratio(others, chosen, 'forces'):.3f} | {ratio(held, chosen, 'energy'):.3f} / "
            f"{ratio(held, chosen, 'forces'):.3f} |"
        )
    return rows + [""]


def markdown(results: list[dict], command: str) -> str:
    rules = [rule for rule in ("lowest", "latest_within_se", "last")
             if all(rule in r["picks"] for r in results)]
    summary = ["| rule | E MAE / lowest's | F MAE / lowest's |", "|---|---:|---:|"]
    for rule in rules:
        summary.append(f"| {rule} | {ratio(results, rule, 'energy'):.3f} | "
                       f"{ratio(results, rule, 'forces'):.3f} |")
    lines = [BEGIN, f"`{command}`", "",
             "Test MAE (energy meV/atom / forces eV/Å) of the model each rule keeps from the "
             "same training, and the epoch it picks:", "", *runs_table(results, rules),
             "Mean over runs of each rule's test MAE divided by the lowest rule's:", "",
             *summary, "", "Leave one element out (mean ratios to the lowest rule):", "",
             *leave_one_out(results, rules), END]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--elements", nargs="+", default=["Si", "Ge", "Li"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--out", type=Path, default=Path("runs/selection"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override for experiments (none in the published table)")
    args = parser.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    results = [run_one(args, el, seed) for seed in args.seeds for el in args.elements]
    text = markdown(results, "python " + " ".join(sys.argv))
    print(text)
    if args.markdown:
        write_markdown(args.markdown, text, BEGIN, END)


if __name__ == "__main__":
    main()
