"""Descriptor maps: seeded balanced subsampling, PCA fitted on the training atoms (checked
against an SVD), t-SNE, and the PNG and JSON files for every colour."""

import json

import numpy as np
import pytest
from analysis_fixtures import fcc_frames, fitted_model, outliers

from mlpot.analysis.atom_descriptors import atom_descriptors
from mlpot.analysis.embedding import balanced_subsample, pca_embedding
from mlpot.errors import MlpotError

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from mlpot.analysis.descriptor_maps import (  # noqa: E402
    MapSettings,
    descriptor_maps,
    embed_panels,
    map_points,
)


@pytest.fixture(scope="module")
def data():
    train, test = fcc_frames(30, seed=0), fcc_frames(6, seed=9, group="other") + outliers()
    model = fitted_model(train)
    frames = train + test
    labels = ["training"] * len(train) + ["test"] * len(test)
    return model, frames, labels


def test_balanced_subsample_shares_points_and_is_reproducible():
    labels = np.array(["training"] * 1000 + ["test"] * 30 + ["md"] * 200)
    chosen = balanced_subsample(labels, 300, seed=4)
    counts = dict(zip(*np.unique(labels[chosen], return_counts=True), strict=True))
    assert counts == {"test": 30, "md": 135, "training": 135}  # test's unused share shared
    assert len(set(chosen)) == 300 and np.all(np.diff(chosen) > 0)
    np.testing.assert_array_equal(chosen, balanced_subsample(labels, 300, seed=4))
    assert not np.array_equal(chosen, balanced_subsample(labels, 300, seed=5))
    np.testing.assert_array_equal(balanced_subsample(labels, 5000, 0), np.arange(len(labels)))


def test_pca_axes_are_the_training_principal_axes():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(200, 4)) * [5.0, 2.0, 0.5, 0.1]
    other = rng.normal(size=(50, 4)) + 10.0
    x = np.vstack([train, other])
    fit = np.arange(len(x)) < len(train)
    embedding = pca_embedding(x, fit)
    centred = train - train.mean(0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    np.testing.assert_allclose(embedding.explained, variance[:2] / variance.sum(), rtol=1e-10)
    expected = (x - train.mean(0)) @ vt[:2].T
    np.testing.assert_allclose(np.abs(embedding.coords), np.abs(expected), atol=1e-10)
    assert embedding.axis_labels()[0].startswith("PC1 (")


def test_pca_maps_for_every_colour(data, tmp_path):
    model, frames, labels = data
    atoms = atom_descriptors(model, frames)
    errors = np.linspace(0.0, 1.0, len(atoms))
    errors[:4] = np.nan  # atoms without reference forces are drawn grey
    points = map_points(atoms, frames, labels, errors)
    settings = MapSettings(("pca",), ("set", "element", "group", "error"), seed=1,
                           max_points=100)
    summary, written = descriptor_maps(points, settings, tmp_path)
    names = {p.name for p in written}
    assert names == {"maps.json"} | {f"map_pca_{c}.png" for c in settings.colors}
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
    saved = json.loads((tmp_path / "maps.json").read_text())
    assert saved["subsample"]["seed"] == 1 and saved["files"] == [
        p.name for p in written[1:]]
    per_element = saved["maps"]["pca_per_element"]
    assert set(per_element) == {"Al atoms", "Ni atoms"}
    n_al = int(np.sum(atoms.species == 0))
    assert sum(per_element["Al atoms"]["atoms"].values()) == n_al
    assert sum(per_element["Al atoms"]["shown"].values()) == min(100, n_al)
    ratio = per_element["Al atoms"]["explained_variance_ratio"]
    assert 0 < ratio[1] <= ratio[0] < 1
    joint = saved["maps"]["pca_all_elements"]["all elements"]
    assert sum(joint["atoms"].values()) == len(atoms)


def test_tsne_map_of_all_elements(data, tmp_path):
    model, frames, labels = data
    points = map_points(atom_descriptors(model, frames), frames, labels)
    settings = MapSettings(("tsne",), ("element",), seed=2, max_points_tsne=60, perplexity=10)
    summary, written = descriptor_maps(points, settings, tmp_path)
    assert [p.name for p in written] == ["maps.json", "map_tsne_element.png"]
    joint = summary["maps"]["tsne_all_elements"]["all elements"]
    assert joint["shown"] == {"test": 30, "training": 30}  # of 40 test and 120 training atoms
    assert joint["atoms"] == {"test": 40, "training": 120} and joint["perplexity"] == 10
    assert joint["kl_divergence"] > 0


def test_training_atoms_define_the_pca_axes(data):
    model, frames, labels = data
    points = map_points(atom_descriptors(model, frames), frames, labels)
    (al, _ni) = embed_panels(points, "pca", joint=False, settings=MapSettings())
    train_rows = points.set_label[al.rows] == "training"
    np.testing.assert_allclose(al.embedding.coords[train_rows].mean(0), 0.0, atol=1e-10)
    # the compressed and expanded cells lie far outside the training cloud
    spread = np.abs(al.embedding.coords[train_rows]).max()
    assert np.abs(al.embedding.coords[~train_rows]).max() > 2 * spread


def test_bad_map_requests(data, tmp_path):
    model, frames, labels = data
    points = map_points(atom_descriptors(model, frames), frames, labels)
    with pytest.raises(MlpotError, match="reference forces"):
        descriptor_maps(points, MapSettings(colors=("error",)), tmp_path)
    with pytest.raises(MlpotError, match="unknown map method"):
        descriptor_maps(points, MapSettings(methods=("umap",)), tmp_path)
    with pytest.raises(MlpotError, match="one set label per frame"):
        map_points(atom_descriptors(model, frames), frames, labels[:-1])
