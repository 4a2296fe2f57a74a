"""Errors of a model on labelled frames, written as a table, errors.json and parity.png."""

from __future__ import annotations

from pathlib import Path

from mlpot.analysis.errors import ErrorReport, error_report, predict_frames
from mlpot.analysis.output import write_json
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError


def require_plotting() -> None:
    """Fail early, before any prediction, when matplotlib is missing."""
    from mlpot.analysis.parity import require_matplotlib

    try:
        require_matplotlib()
    except MlpotError as exc:
        raise MlpotError(f"{exc}, or pass --no-plot") from exc


def evaluate_model(
    calc, frames: list[Frame], out: Path, *, plot: bool = True, title: str = "",
    progress: bool = True, extra: dict | None = None,
) -> tuple[ErrorReport, list[Path]]:
    """Predict every frame with the ASE calculator; write errors.json (and parity.png) in out.
    Values that are not finite are written as null. extra: more entries for errors.json (e.g.
    the energy offsets applied)."""
    if not frames:
        raise MlpotError("no frames to evaluate: check the paths and slices")
    if plot:
        require_plotting()
    predictions = predict_frames(calc, frames, progress=progress)
    report = error_report(frames, predictions)
    write_json(out / "errors.json", {**report.to_dict(), **(extra or {})})
    written = [out / "errors.json"]
    if plot:
        from mlpot.analysis.parity import plot_parity

        plot_parity(frames, predictions, out / "parity.png", title=title)
        written.append(out / "parity.png")
    return report, written
