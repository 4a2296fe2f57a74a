"""Selection: thresholds, farthest-point de-duplication and descriptor summaries."""

from __future__ import annotations

import numpy as np
import pytest
from active_setup import starting_structures
from ase.build import bulk

from mlpot.active.select import farthest_point_sampling, feature_summaries, select

LINE = np.array([[0.0], [0.1], [1.0], [1.05], [5.0]])


def test_thresholds_split_known_candidates_and_unphysical():
    values = np.array([0.01, 0.05, 0.2, 0.5, 1.5, 3.0])
    chosen = select(
        values,
        lambda idx: np.eye(len(values))[idx],
        lower=0.05,
        upper=1.5,
        cap=10,
        min_distance=0.0,
    )
    # lower is inclusive, upper exclusive
    assert (chosen.below, chosen.window, chosen.above) == (1, 3, 2)
    assert sorted(chosen.chosen) == [1, 2, 3]
    assert chosen.chosen[0] == 3  # the most uncertain candidate comes first
    assert chosen.counts()["selected"] == 3 and chosen.explored == 6


def test_farthest_point_sampling_order_and_min_distance():
    assert farthest_point_sampling(LINE, 0, cap=5) == [0, 4, 3, 1, 2]
    assert farthest_point_sampling(LINE, 0, cap=2) == [0, 4]
    # 1.0 is within 0.05 of 1.05: a near-duplicate at min_distance 0.08
    assert farthest_point_sampling(LINE, 0, cap=5, min_distance=0.08) == [0, 4, 3, 1]
    assert farthest_point_sampling(LINE, 2, cap=5, min_distance=2.0) == [2, 4]
    assert farthest_point_sampling(np.zeros((0, 1)), 0, cap=3) == []


def test_exact_duplicates_are_never_picked():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    assert sorted(farthest_point_sampling(points, 0, cap=4)) == [0, 2]


def test_select_counts_duplicates_and_cap_separately():
    values = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.9])
    summaries = np.array([[0.0], [0.0], [0.01], [2.0], [4.0], [6.0]])
    result = select(
        values, lambda idx: summaries[idx], lower=0.1, upper=1.0, cap=2, min_distance=0.05
    )
    assert result.chosen == [5, 0]  # most uncertain first, then the farthest from it
    assert (result.window, result.duplicates, result.capped) == (6, 2, 2)


def test_select_asks_summaries_of_candidates_only():
    asked = []

    def summaries(indices):
        asked.append(list(indices))
        return np.arange(len(indices), dtype=float)[:, None]

    select(np.array([0.0, 0.5, 2.0, 0.6]), summaries, lower=0.1, upper=1.0, cap=5, min_distance=0.0)
    assert asked == [[1, 3]]
    nothing = select(np.array([0.0, 5.0]), summaries, lower=0.1, upper=1.0, cap=5, min_distance=0.0)
    assert nothing.chosen == [] and asked == [[1, 3]]


def test_feature_summaries_invariances(alni_model):
    ni3al = starting_structures()[2]
    ni3al.rattle(0.05, seed=1)
    permuted = ni3al[[3, 1, 0, 2]]
    moved = ni3al.copy()
    moved.translate([0.3, -0.2, 1.1])
    moved.wrap()
    rotated = ni3al.copy()
    rotated.rotate(37, "z", rotate_cell=True)
    supercell = ni3al.repeat((2, 1, 1))
    strained = ni3al.copy()
    strained.set_cell(ni3al.cell * 1.05, scale_atoms=True)
    s = feature_summaries(alni_model, [ni3al, permuted, moved, rotated, supercell, strained])
    n_features = alni_model.sfset.max_features
    assert s.shape == (6, 3 * 2 * n_features)
    for same in s[1:4]:
        np.testing.assert_allclose(same, s[0], atol=1e-10)
    # means and spreads are intensive: a supercell is the same structure
    np.testing.assert_allclose(s[4], s[0], atol=1e-10)
    assert np.linalg.norm(s[5] - s[0]) > 1e-2
    # fractions of atoms per element: Al 1/4, Ni 3/4
    assert s[0][0] == pytest.approx(0.25) and s[0][3 * n_features] == pytest.approx(0.75)


def test_feature_summaries_of_a_missing_element_are_zero(alni_model):
    (al,) = feature_summaries(alni_model, [bulk("Al", "fcc", a=4.05, cubic=True)])
    n = 3 * alni_model.sfset.max_features
    assert np.all(al[n:] == 0) and np.any(al[:n] != 0)
