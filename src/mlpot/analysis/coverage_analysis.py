"""`analyze coverage`: coverage of data by a training set, written as coverage.json and
coverage.png (see coverage for the scores)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlpot.analysis.atom_descriptors import atom_descriptors
from mlpot.analysis.coverage import (
    DEFAULT_PERCENTILE,
    Coverage,
    coverage,
    coverage_reference,
    coverage_to_dict,
)
from mlpot.analysis.output import write_json
from mlpot.data.frame import Frame
from mlpot.models.nnp import NeuralNetworkPotential


def coverage_of(
    model: NeuralNetworkPotential,
    train_frames: Sequence[Frame],
    frames: Sequence[Frame],
    *,
    percentile: float = DEFAULT_PERCENTILE,
    threshold: float | None = None,
    leave_out: str = "structure",
    calibration: str = "structure",
    gdf_sigma: float | None = None,
) -> Coverage:
    """Coverage of frames by the environments of train_frames, in model's descriptor space."""
    train = atom_descriptors(model, train_frames)
    reference = coverage_reference(train, percentile=percentile, threshold=threshold,
                                   leave_out=leave_out, calibration=calibration)
    return coverage(reference, atom_descriptors(model, frames), gdf_sigma)


def analyze_coverage(
    result: Coverage,
    frames: Sequence[Frame],
    labels: Sequence[str],
    out: str | Path,
    title: str = "",
) -> tuple[dict, list[Path]]:
    """Write coverage.json and coverage.png for a coverage result into out."""
    from mlpot.analysis.coverage_plots import plot_coverage

    out = Path(out)
    summary = coverage_to_dict(result, frames, labels)
    written = [write_json(out / "coverage.json", summary),
               plot_coverage(result, labels, out / "coverage.png", title)]
    return summary, written
