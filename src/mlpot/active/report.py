"""The per-iteration report: report.json, report.csv and report.png in the run directory.

Row k describes iteration k: what the exploration with ensemble k-1 found (explored,
flagged_fraction = share at or above the lower threshold, above_upper, selected), what the
oracle labelled or failed on, and the errors of ensemble k (trained in that iteration) on the
held-out frames: energy in meV/atom, forces in eV/Å. Iteration 0 labels the starting set.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mlpot.active.state import LoopState
from mlpot.analysis.output import plain, write_json
from mlpot.files import atomic_path

COLUMNS = (
    "iteration",
    "explored",
    "below_lower",
    "in_window",
    "above_upper",
    "too_close",
    "duplicates",
    "capped",
    "selected",
    "labelled",
    "failed",
    "flagged_fraction",
    "training_frames",
    "holdout_energy_rmse",
    "holdout_energy_mae",
    "holdout_forces_rmse",
    "holdout_forces_mae",
    "holdout_flagged_fraction",
    "holdout_mean_uncertainty",
)
UNITS = {
    "holdout_energy_rmse": "meV/atom",
    "holdout_energy_mae": "meV/atom",
    "holdout_forces_rmse": "eV/Å",
    "holdout_forces_mae": "eV/Å",
}


def report_rows(state: LoopState) -> list[dict]:
    """One row per iteration with every column of COLUMNS (None where not reached)."""
    rows = []
    for item in state.iterations:
        values = {"iteration": item.index, **item.counts, **item.errors}
        rows.append({column: values.get(column) for column in COLUMNS})
    return rows


def write_report(root: Path, state: LoopState, measure: str, plot: bool = True) -> list[Path]:
    """Write report.json, report.csv and (with plot) report.png into root; returns the paths."""
    rows = report_rows(state)
    data = {"measure": measure, "units": UNITS, "stop_reason": state.stop_reason, "rows": rows}
    written = [write_json(root / "report.json", data), _write_csv(root / "report.csv", rows)]
    if plot and rows:
        written.append(plot_report(root / "report.png", rows))
    return written


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in plain(rows):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def table(state: LoopState) -> str:
    """A plain-text summary table of the report."""
    header = (
        "iter",
        "explored",
        "flagged",
        ">upper",
        "selected",
        "labelled",
        "failed",
        "E meV/at",
        "F eV/Å",
        "held-out flagged",
    )
    lines = ["  ".join(f"{h:>9}" for h in header)]
    for row in report_rows(state):
        cells = (
            row["iteration"],
            row["explored"],
            row["flagged_fraction"],
            row["above_upper"],
            row["selected"],
            row["labelled"],
            row["failed"],
            row["holdout_energy_rmse"],
            row["holdout_forces_rmse"],
            row["holdout_flagged_fraction"],
        )
        lines.append("  ".join(_cell(value) for value in cells))
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return f"{'-':>9}"
    return f"{value:>9.4g}" if isinstance(value, float) else f"{value:>9}"


def plot_report(path: Path, rows: list[dict]) -> Path:
    """Held-out errors, flagged fractions and counts against the iteration."""
    from mlpot.analysis.output import new_figure, save_figure

    figure, (errors, flagged, counts) = new_figure(3, panel_size=(4.6, 3.8))
    it = [row["iteration"] for row in rows]

    def series(key: str) -> tuple[list, list]:
        pairs = [(i, row[key]) for i, row in zip(it, rows, strict=True) if row[key] is not None]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    errors.plot(*series("holdout_energy_rmse"), "o-", color="C0")
    errors.set(xlabel="iteration", title="held-out RMSE of the ensemble mean")
    errors.set_ylabel("energy (meV/atom)", color="C0")
    force_axis = errors.twinx()
    force_axis.plot(*series("holdout_forces_rmse"), "s--", color="C1")
    force_axis.set_ylabel("forces (eV/Å)", color="C1")
    flagged.plot(*series("flagged_fraction"), "o-", label="explored (previous ensemble)")
    flagged.plot(*series("holdout_flagged_fraction"), "s-", label="held-out frames")
    flagged.set(
        xlabel="iteration",
        ylabel="fraction flagged",
        ylim=(-0.02, 1.02),
        title="structures at or above the lower threshold",
    )
    flagged.legend(fontsize="small")
    for key, marker in (
        ("explored", "o-"),
        ("selected", "s-"),
        ("labelled", "^-"),
        ("failed", "x-"),
        ("above_upper", "v-"),
    ):
        counts.plot(*series(key), marker, label=key)
    counts.set(xlabel="iteration", ylabel="structures", title="per iteration")
    counts.legend(fontsize="small")
    return save_figure(figure, path)
