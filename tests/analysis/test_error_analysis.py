"""Error plots and numbers: per-structure and per-atom errors, percentiles, worst structures,
errors per group, and the relation of errors to coverage, against predictions with known
errors."""

import json

import numpy as np
import pytest
from analysis_fixtures import fcc_frames, fitted_model, outliers
from ase.units import GPa

from mlpot.analysis.errors import Predictions
from mlpot.analysis.structure_errors import atom_force_errors, structure_errors

pytest.importorskip("matplotlib")

from mlpot.analysis.coverage_analysis import coverage_of  # noqa: E402
from mlpot.analysis.error_analysis import analyze_errors  # noqa: E402


def _shifted_predictions(frames, sizes):
    """Predictions off by sizes[i] meV/atom, sizes[i] / 100 eV/Å per force component along x
    only, and sizes[i] / 10 GPa per stress component."""
    energies, forces, stresses = [], [], []
    for frame, size in zip(frames, sizes, strict=True):
        energies.append(frame.energy + 1e-3 * size * len(frame))
        shift = np.zeros((len(frame), 3))
        shift[:, 0] = size / 100
        forces.append(frame.forces + shift)
        stresses.append(frame.stress + size / 10 * GPa)
    return Predictions(np.array(energies), forces, stresses)


def test_per_atom_and_per_structure_errors():
    frames = fcc_frames(3, seed=1)
    frames[1].forces = None
    frames[2].stress = None
    sizes = [1.0, 2.0, 4.0]
    predictions = _shifted_predictions(frames[:1], sizes[:1])
    predictions = Predictions(
        np.array([f.energy + 1e-3 * s * len(f) for f, s in zip(frames, sizes, strict=True)]),
        [predictions.forces[0], np.zeros((4, 3)), frames[2].forces + [0.0, 0.04, 0.0]],
        [predictions.stress[0], None, None],
    )
    per_atom = atom_force_errors(frames, predictions)
    np.testing.assert_allclose(per_atom[:4], 0.01)
    assert np.isnan(per_atom[4:8]).all()
    np.testing.assert_allclose(per_atom[8:], 0.04)
    errors = structure_errors(frames, predictions)
    np.testing.assert_allclose(errors.energy, sizes)
    np.testing.assert_allclose(errors.forces[[0, 2]], [0.01 / np.sqrt(3), 0.04 / np.sqrt(3)])
    assert np.isnan(errors.forces[1])
    np.testing.assert_allclose(errors.stress[0], 0.1)
    assert np.isnan(errors.stress[1:]).all()


def test_error_plots_and_numbers(tmp_path):
    frames = fcc_frames(6, seed=2, group="bulk") + fcc_frames(4, seed=3, group="hot")
    sizes = np.arange(1.0, 11.0)
    predictions = _shifted_predictions(frames, sizes)
    summary, written = analyze_errors(frames, predictions, tmp_path, title="known errors")
    assert [p.name for p in written] == [
        "errors_analysis.json", "parity.png", "error_histograms.png", "errors_by_group.png"]
    for path in written[1:]:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
    saved = json.loads((tmp_path / "errors_analysis.json").read_text())
    assert saved["overall"]["energy"]["mae"] == pytest.approx(sizes.mean())
    assert saved["groups"]["hot"]["energy"]["mae"] == pytest.approx(sizes[6:].mean())
    assert saved["groups"]["bulk"]["forces"]["count"] == 6 * 4 * 3
    energy = saved["absolute_error_percentiles"]["energy"]
    assert energy["unit"] == "meV/atom"
    assert energy["p50"] == pytest.approx(np.percentile(sizes, 50))
    assert energy["p100"] == pytest.approx(10.0)
    assert saved["absolute_error_percentiles"]["stress"]["p100"] == pytest.approx(1.0)
    worst = saved["worst_structures"]["forces"]
    assert [w["source"] for w in worst[:2]] == ["hot:3", "hot:2"]
    assert worst[0]["error"] == pytest.approx(0.1 / np.sqrt(3))
    assert "coverage" not in saved


def test_errors_against_coverage(tmp_path):
    train = fcc_frames(30, seed=0)
    model = fitted_model(train)
    frames = fcc_frames(5, seed=8, group="fcc") + outliers()
    result = coverage_of(model, train, frames)
    scores = result.structures.max_score
    predictions = _shifted_predictions(frames, scores)  # errors grow with the score
    summary, written = analyze_errors(frames, predictions, tmp_path, coverage=result)
    assert written[-1].name == "error_vs_coverage.png" and written[-1].stat().st_size > 20_000
    saved = json.loads((tmp_path / "errors_analysis.json").read_text())
    assert saved["coverage"]["n_flagged"] == 4
    for name in ("energy", "forces", "stress"):
        relation = saved["coverage"]["relation"][name]
        assert relation["spearman"] == pytest.approx(1.0)
        assert relation["mean_flagged"] > 5 * relation["mean_unflagged"]
    assert saved["coverage"]["relation"]["energy"]["mean_flagged"] == pytest.approx(
        scores[5:].mean())
