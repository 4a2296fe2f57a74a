"""Errors of a model on labelled frames, written as a table, errors.json and parity.png."""

from __future__ import annotations

import json
from pathlib import Path

from mlpot.analysis.errors import ErrorReport, error_report, predict_frames
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
    extra: dict | None = None,
) -> tuple[ErrorReport, list[Path]]:
    """Predict every frame with the ASE calculator; write errors.json (and parity.png) in out.
    extra: more entries for errors.json (e.g. the energy offsets applied)."""
    if not frames:
        raise MlpotError("no frames to evaluate: check the paths and slices")
    if plot:
        require_plotting()
    predictions = predict_frames(calc, frames, progress=True)
    report = error_report(frames, predictions)
    out.mkdir(parents=True, exist_ok=True)
    document = {**report.to_dict(), **(extra or {})}
    (out / "errors.json").write_text(json.dumps(document, indent=2) + "\n")
    written = [out / "errors.json"]
    if plot:
        from mlpot.analysis.parity import plot_parity

        plot_parity(frames, predictions, out / "parity.png", title=title)
        written.append(out / "parity.png")
    return report, written
