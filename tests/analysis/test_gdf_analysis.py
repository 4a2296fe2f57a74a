"""GDF weights of a data set: equal to what training assigns, rare structures weigh most."""

import json

import numpy as np
import pytest
import torch
from analysis_fixtures import fcc_frames, fitted_model, outliers

from mlpot.analysis.atom_descriptors import atom_descriptors
from mlpot.analysis.gdf_analysis import gdf_of_atoms
from mlpot.errors import MlpotError

pytest.importorskip("matplotlib")

from mlpot.analysis.gdf_analysis import analyze_gdf  # noqa: E402


@pytest.fixture(scope="module")
def frames_and_model():
    frames = fcc_frames(12, seed=0)
    return frames + outliers()[:1], fitted_model(frames)


def test_weights_equal_those_training_assigns(frames_and_model):
    from mlpot.training.dataset import prepare_frames
    from mlpot.training.gdf import assign_gdf_weights

    frames, model = frames_and_model
    prepared = prepare_frames(frames, model, torch.float64, ["fcc", "compressed"],
                              progress=False)
    expected = assign_gdf_weights(prepared, sigma=0.05, cap=5.0)
    _, weights = gdf_of_atoms(atom_descriptors(model, frames), sigma=0.05, cap=5.0)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)


def test_gdf_plot_and_numbers(frames_and_model, tmp_path):
    frames, model = frames_and_model
    summary, written = analyze_gdf(model, frames, tmp_path, sigma=0.05, cap=5.0)
    assert [p.name for p in written] == ["gdf.json", "gdf.png"]
    assert written[1].stat().st_size > 20_000
    saved = json.loads(written[0].read_text())
    assert saved["sigma"] == 0.05 and saved["cap"] == 5.0
    numbers = np.concatenate([f.numbers for f in frames])
    for element, z in (("Al", 13), ("Ni", 28)):
        stats = saved["elements"][element]
        assert stats["n_atoms"] == int(np.sum(numbers == z))
        assert stats["weight"]["mean"] == pytest.approx(1.0)
        assert stats["weight"]["max"] <= 5.0 + 1e-9
        assert 1.0 <= stats["effective_atoms"] <= stats["n_atoms"]
        assert stats["density"]["min"] > 0
    # the compressed cell is the rarest environment: its atoms weigh most
    rarest = saved["highest_mean_weight"][0]
    assert rarest["source"] == "compressed" and rarest["mean_weight"] > 2.0
    assert len(saved["highest_mean_weight"]) == 10


def test_bad_gdf_settings(frames_and_model):
    frames, model = frames_and_model
    with pytest.raises(MlpotError, match="sigma"):
        gdf_of_atoms(atom_descriptors(model, frames[:2]), sigma=0.0, cap=5.0)
