"""Coverage scores: leave-one-out distances against brute force, per-structure aggregation, and
flags that separate the training distribution from compressed, expanded and other phases."""

import json

import numpy as np
import pytest
from analysis_fixtures import fcc_frames, fitted_model, labelled, outliers
from ase.build import bulk

from mlpot.analysis.atom_descriptors import atom_descriptors
from mlpot.analysis.coverage import (
    coverage,
    coverage_reference,
    coverage_to_dict,
    structure_scores,
)
from mlpot.analysis.environments import element_environments
from mlpot.analysis.output import write_json
from mlpot.errors import MlpotError


@pytest.fixture(scope="module")
def train():
    return fcc_frames(40, seed=0)


@pytest.fixture(scope="module")
def model(train):
    return fitted_model(train)


@pytest.fixture(scope="module")
def reference(model, train):
    return coverage_reference(atom_descriptors(model, train))


def _brute_force_loo(values, frame, leave_out):
    out = np.full(len(values), np.nan)
    for i in range(len(values)):
        other = frame != frame[i] if leave_out == "structure" else np.arange(len(values)) != i
        if other.any():
            out[i] = np.linalg.norm(values[other] - values[i], axis=1).min()
    return out


@pytest.mark.parametrize("leave_out", ["structure", "atom"])
def test_leave_one_out_distances_equal_brute_force(leave_out):
    rng = np.random.default_rng(3)
    values = rng.normal(size=(120, 5))
    values[60:70] = values[60]  # identical environments inside one structure
    frame = np.repeat(np.arange(12), 10)
    env = element_environments(values, frame, leave_out)
    expected = _brute_force_loo(values, frame, leave_out)
    np.testing.assert_allclose(env.loo, expected, rtol=1e-12)
    if leave_out == "structure":
        assert env.loo[60:70].min() > 0  # copies within a structure do not count
    else:
        assert np.all(env.loo[60:70] == 0)


def test_single_structure_falls_back_to_leaving_out_atoms():
    values = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    env = element_environments(values, np.zeros(3, dtype=int))
    assert env.leave_out == "atom"
    np.testing.assert_allclose(env.loo, [1.0, 1.0, 3.0])


def test_structure_scores_aggregate_per_structure():
    scores = np.array([0.2, 1.5, 0.1, 0.4, 0.3, 2.0, 0.9])
    frame = np.array([0, 0, 0, 1, 1, 2, 2])
    s = structure_scores(scores, frame, 3)
    np.testing.assert_allclose(s.max_score, [1.5, 0.4, 2.0])
    np.testing.assert_allclose(s.mean_score, [0.6, 0.35, 1.45])
    np.testing.assert_allclose(s.beyond, [1 / 3, 0.0, 0.5])
    np.testing.assert_array_equal(s.worst_atom, [1, 0, 0])
    np.testing.assert_array_equal(s.flagged, [True, False, True])


def test_atom_calibration_threshold_is_the_percentile_of_training_distances(model, train):
    ref = coverage_reference(atom_descriptors(model, train), calibration="atom")
    for env, threshold in zip(ref.environments, ref.thresholds, strict=True):
        assert env.leave_out == "structure"
        assert threshold == pytest.approx(np.percentile(env.loo, 99.0))
        assert np.sum(env.loo > threshold) <= np.ceil(0.01 * env.size)


def test_structure_calibration_bounds_the_training_flag_rate(model, train, reference):
    atom_level = coverage_reference(atom_descriptors(model, train), calibration="atom")
    # with per-atom thresholds, 4-atom structures are flagged more often than 1 in 100 ...
    assert atom_level.training.flagged.sum() > np.ceil(0.01 * len(train))
    # ... the structure calibration scales them so that 99% of structures pass
    assert reference.calibration == "structure"
    assert reference.training.flagged.sum() <= np.ceil(0.01 * len(train))
    ratio = reference.thresholds / atom_level.thresholds
    assert ratio[0] == pytest.approx(ratio[1]) and ratio[0] > 1
    assert ratio[0] == pytest.approx(np.percentile(atom_level.training.max_score, 99.0))


def test_training_distribution_is_covered_and_outliers_are_flagged(model, reference):
    same = fcc_frames(8, seed=11, group="same")
    others = outliers()
    result = coverage(reference, atom_descriptors(model, same + others))
    s = result.structures
    assert not s.flagged[:8].any()
    assert s.max_score[:8].max() < 1.0
    assert s.flagged[8:].all()
    by_source = dict(zip([f.source for f in others], s.max_score[8:], strict=True))
    assert by_source["compressed"] > 5 and by_source["expanded"] > 3
    assert by_source["bcc"] > 1.5  # inside the training range, but far from its environments
    # the same cell distorted further is further from the training set
    bigger = coverage(reference, atom_descriptors(model, fcc_frames(1, 2, scale=1.2)))
    slightly = coverage(reference, atom_descriptors(model, fcc_frames(1, 2, scale=1.06)))
    assert bigger.structures.max_score[0] > slightly.structures.max_score[0]


def test_element_missing_from_training_scores_infinite(model, tmp_path):
    cells = []
    for k in range(6):
        atoms = bulk("Al", "fcc", a=4.0, cubic=True)
        atoms.rattle(0.05, seed=k)
        cells.append(labelled(atoms, f"al:{k}", "al"))
    ref = coverage_reference(atom_descriptors(model, cells))
    assert ref.environments[1].size == 0 and ref.thresholds[1] == 0.0
    data = fcc_frames(2, seed=4)  # Al-Ni cells: their Ni atoms have no training environment
    result = coverage(ref, atom_descriptors(model, data))
    assert np.isinf(result.structures.max_score).all() and result.structures.flagged.all()
    is_ni = np.concatenate([f.numbers for f in data]) == 28
    assert np.all(result.outside_range[is_ni] == model.sfset.n_features("Ni"))
    written = json.loads(write_json(tmp_path / "c.json",
                                    coverage_to_dict(result, data, ["d", "d"])).read_text())
    assert [r["max_score"] for r in written["structures"]] == [None, None]  # inf: null
    assert written["flagged"] == ["fcc:0", "fcc:1"]


def test_json_rows_list_flagged_structures(model, train, reference, tmp_path):
    data = fcc_frames(3, seed=21) + outliers()
    result = coverage(reference, atom_descriptors(model, data), gdf_sigma=0.1)
    summary = coverage_to_dict(result, data, ["fcc"] * 3 + ["out"] * 4)
    written = json.loads(write_json(tmp_path / "c.json", summary).read_text())
    assert written["n_structures"] == 7 and written["n_flagged"] == 4
    assert written["flagged"] == ["compressed", "expanded", "bcc", "pure-Ni"]
    rows = written["structures"]
    assert [r["label"] for r in rows] == ["fcc"] * 3 + ["out"] * 4
    for row, score in zip(rows, result.structures.max_score, strict=True):
        assert row["max_score"] == pytest.approx(score)
        assert 0 <= row["worst_atom"] < row["n_atoms"]
    # GDF density among training environments: far lower away from the training distribution
    far = [r["gdf_min"] for r in rows if r["source"] in ("compressed", "expanded", "pure-Ni")]
    assert min(r["gdf_min"] for r in rows[:3]) > 100 * max(far)
    assert written["threshold"]["percentile"] == 99.0
    assert written["threshold"]["calibration"] == "structure"
    assert written["training"]["flag_rate_leave_one_out"] <= 0.025
    numbers = np.concatenate([f.numbers for f in train])
    assert written["training"]["n_environments"] == {"Al": int(np.sum(numbers == 13)),
                                                     "Ni": int(np.sum(numbers == 28))}


def test_explicit_threshold_and_bad_settings(model, train):
    atoms = atom_descriptors(model, train)
    ref = coverage_reference(atoms, threshold=0.5)
    np.testing.assert_array_equal(ref.thresholds, [0.5, 0.5])
    assert ref.percentile is None
    with pytest.raises(MlpotError, match="percentile"):
        coverage_reference(atoms, percentile=0)
    with pytest.raises(MlpotError, match="positive"):
        coverage_reference(atoms, threshold=-1.0)
    with pytest.raises(MlpotError, match="calibration"):
        coverage_reference(atoms, calibration="frame")
    with pytest.raises(MlpotError, match="leave-out"):
        coverage_reference(atoms, leave_out="frame")


def test_supercell_of_a_rotated_training_structure_is_fully_covered(model, train, reference):
    from physics_helpers import random_rotation

    atoms = train[5].to_atoms().repeat((2, 1, 2))
    rotation = random_rotation(np.random.default_rng(2))
    atoms.set_cell(atoms.cell.array @ rotation.T, scale_atoms=True)
    atoms.translate([0.3, -1.1, 0.7])
    copy = labelled(atoms, "copy", "copy")
    result = coverage(reference, atom_descriptors(model, [copy]))
    assert result.structures.max_score[0] < 1e-6  # the same environments as train[5]
    assert not result.structures.flagged[0] and result.atoms_outside_range[0] == 0
