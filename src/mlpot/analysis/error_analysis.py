"""`analyze errors`: parity, histograms, errors per group and, given coverage, error against
coverage; one JSON (errors_analysis.json) of the numbers behind the plots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mlpot.analysis.coverage import Coverage
from mlpot.analysis.errors import QUANTITIES, PairedValues, Predictions, error_report, paired_values
from mlpot.analysis.output import write_json
from mlpot.analysis.structure_errors import StructureErrors, structure_errors
from mlpot.data.frame import Frame

PERCENTILES = (50, 90, 95, 99, 100)
N_WORST = 10


def absolute_error_percentiles(pairs: dict[str, PairedValues]) -> dict[str, dict | None]:
    """Percentiles of |pred - ref| per quantity in its error unit (None where no data)."""
    out: dict[str, dict | None] = {}
    for name, quantity in QUANTITIES.items():
        values = pairs[name]
        if len(values.ref) == 0:
            out[name] = None
            continue
        diff = np.abs(values.pred - values.ref) * quantity.error_scale
        out[name] = {"unit": quantity.error_unit,
                     **{f"p{q}": float(np.percentile(diff, q)) for q in PERCENTILES}}
    return out


def worst_structures(errors: StructureErrors, frames: Sequence[Frame], n: int = N_WORST
                     ) -> dict[str, list[dict]]:
    """The n structures with the largest error of each quantity, largest first."""
    out = {}
    for name, values in errors.as_dict().items():
        finite = np.flatnonzero(np.isfinite(values))
        order = finite[np.argsort(values[finite])[::-1][:n]]
        out[name] = [{"source": frames[i].source or f"frame {i}", "group": frames[i].group,
                      "error": float(values[i])} for i in order]
    return out


def error_coverage_relation(errors: StructureErrors, result: Coverage) -> dict[str, dict | None]:
    """Spearman rank correlation of each per-structure error with the coverage score, and the
    mean error of flagged and unflagged structures."""
    from scipy.stats import spearmanr

    scores, flagged = result.structures.max_score, result.structures.flagged
    out: dict[str, dict | None] = {}
    for name, values in errors.as_dict().items():
        rows = np.isfinite(values) & np.isfinite(scores)
        if rows.sum() < 3:
            out[name] = None
            continue
        rho = spearmanr(scores[rows], values[rows]).statistic
        out[name] = {
            "spearman": float(rho),
            "mean_flagged": _mean(values[rows & flagged]),
            "mean_unflagged": _mean(values[rows & ~flagged]),
        }
    return out


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def analyze_errors(
    frames: Sequence[Frame],
    predictions: Predictions,
    out: str | Path,
    *,
    coverage: Coverage | None = None,
    labels: Sequence[str] | None = None,
    title: str = "",
) -> tuple[dict, list[Path]]:
    """Write parity.png, error_histograms.png, errors_by_group.png (and error_vs_coverage.png
    when coverage is given) and errors_analysis.json into out; returns (numbers, files)."""
    from mlpot.analysis.error_plots import (
        plot_error_histograms,
        plot_error_vs_coverage,
        plot_group_errors,
    )
    from mlpot.analysis.parity import plot_parity

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = error_report(frames, predictions)
    pairs = paired_values(frames, predictions)
    per_structure = structure_errors(frames, predictions)
    plot_parity(frames, predictions, out / "parity.png", title=title)
    written = [out / "parity.png",
               plot_error_histograms(pairs, out / "error_histograms.png", title),
               plot_group_errors(report, out / "errors_by_group.png", title)]
    summary = {
        **report.to_dict(),
        "absolute_error_percentiles": absolute_error_percentiles(pairs),
        "worst_structures": worst_structures(per_structure, frames),
    }
    if coverage is not None:
        labels = labels if labels is not None else [f.group for f in frames]
        written.append(plot_error_vs_coverage(per_structure, coverage.structures.max_score,
                                              labels, out / "error_vs_coverage.png", title))
        summary["coverage"] = {
            "n_flagged": int(coverage.structures.flagged.sum()),
            "relation": error_coverage_relation(per_structure, coverage),
        }
    written.insert(0, write_json(out / "errors_analysis.json", summary))
    return summary, written
