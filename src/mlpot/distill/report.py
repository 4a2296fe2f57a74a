"""The distillation's report: the distilled model against the teacher on held-out
teacher-labelled structures, and teacher and distilled model against DFT test data.

Each comparison is written by mlpot.analysis.evaluate (errors.json, parity.png) in its own
directory under eval/; a comparison whose errors.json exists is not computed again, so a
killed evaluation resumes. Energies are per atom (meV/atom), forces per component (eV/Å),
stress per component (GPa), as everywhere in mlpot.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mlpot.analysis.output import write_json
from mlpot.data.frame import Frame

# (report key, what is compared)
COMPARISONS = {
    "holdout": "distilled vs teacher (held-out teacher labels)",
    "dft_teacher": "teacher vs DFT",
    "dft_distilled": "distilled vs DFT",
}


def compare(
    name: str,
    make_calc: Callable[[], object],
    frames: list[Frame],
    root: Path,
    *,
    offsets_from: list[Frame] | None = None,
    plot: bool = True,
    progress: bool = False,
) -> dict:
    """errors.json of the calculator make_calc() on frames, in root/name (read back when it
    exists); with offsets_from, per-element energy offsets are fitted on those frames first
    (as `mlpot evaluate --offsets-from`) and recorded under "energy_offsets"."""
    out = root / name
    if not (out / "errors.json").is_file():
        _evaluate(name, make_calc(), frames, out, offsets_from, plot, progress)
    return json.loads((out / "errors.json").read_text())


def _evaluate(
    name: str, calc, frames: list[Frame], out: Path, offsets_from: list[Frame] | None,
    plot: bool, progress: bool,
) -> None:
    from mlpot.analysis.evaluate import evaluate_model

    extra = None
    if offsets_from:
        from mlpot.universal.offsets import OffsetCalculator, fit_offsets, model_energies

        offsets = fit_offsets(offsets_from, model_energies(calc, offsets_from, progress))
        calc, extra = OffsetCalculator(calc, offsets), {"energy_offsets": offsets.to_dict()}
    evaluate_model(calc, frames, out, plot=plot, title=COMPARISONS[name], progress=progress,
                   extra=extra)


def write_report(path: Path, counts: dict, errors: dict[str, dict], teacher: str) -> dict:
    """report.json: the counts of each stage, the teacher's name and every comparison."""
    report = {"teacher": teacher, "counts": counts, "errors": errors}
    write_json(path, report)
    return report


def table(errors: dict[str, dict]) -> str:
    """One row per comparison: frames, energy MAE/RMSE (meV/atom), forces MAE/RMSE (eV/Å),
    stress MAE (GPa); '-' where there is nothing to compare."""
    width = max(len(text) for text in COMPARISONS.values())
    header = (f"{'comparison':<{width}}  {'frames':>6}  {'E MAE':>7}  {'E RMSE':>7}  "
              f"{'F MAE':>7}  {'F RMSE':>7}  {'S MAE':>7}")
    units = f"{'':<{width}}  {'':>6}  {'meV/at':>7}  {'meV/at':>7}  {'eV/Å':>7}  {'eV/Å':>7}  " \
            f"{'GPa':>7}"
    lines = [header, units, "-" * len(header)]
    for key, text in COMPARISONS.items():
        if key not in errors:
            continue
        overall = errors[key]["overall"]
        cells = [_value(overall, "energy", "mae"), _value(overall, "energy", "rmse"),
                 _value(overall, "forces", "mae"), _value(overall, "forces", "rmse"),
                 _value(overall, "stress", "mae")]
        lines.append(f"{text:<{width}}  {overall['n_frames']:>6}  " + "  ".join(cells))
    return "\n".join(lines)


def _value(overall: dict, quantity: str, kind: str) -> str:
    metric = overall.get(quantity)
    if metric is None or metric.get(kind) is None:
        return f"{'-':>7}"
    return f"{metric[kind]:>7.3g}"
