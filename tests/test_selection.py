"""Farthest-point sampling and CUR (mlpot.selection) and the sampling command's diversity pick."""

import numpy as np

from mlpot.sampling.diversity import diversity_report, fill_distance, select_diverse
from mlpot.selection import farthest_point_sampling


def clusters(seed=0):
    """Three tight clusters of 20 points (spread 0.01) far apart in 4 dimensions."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [5, 0, 0, 0], [0, 0, 7, 1.0]])
    return np.vstack([c + 0.01 * rng.normal(size=(20, 4)) for c in centres])


def test_farthest_point_sampling_starts_away_from_excluded_rows():
    points = np.array([[0.0], [1.0], [2.0], [10.0]])
    assert farthest_point_sampling(points, None, 2, exclude=np.array([[9.0]])) == [0, 2]
    assert farthest_point_sampling(points, None, 4) == [3, 0, 2, 1]  # the first: far from the mean


def test_farthest_point_sampling_never_stops_without_min_distance():
    points = np.zeros((3, 2))
    assert len(farthest_point_sampling(points, 0, 3, min_distance=None)) == 3
    assert farthest_point_sampling(points, 0, 3) == [0]


def test_diversity_selection_takes_one_structure_of_each_cluster():
    points = clusters()
    chosen = select_diverse(points, "farthest", 3)
    assert sorted(k // 20 for k in chosen) == [0, 1, 2]
    assert fill_distance(points, chosen) < 0.1
    # evenly spaced picks of 2 miss a cluster; farthest points of 2 leave one too
    assert fill_distance(points, [0, 59]) > 4.0


def test_cur_selection_takes_the_only_row_along_its_direction():
    """30 rows in a plane and one out of it: its leverage is 1, every other row's about 2/30."""
    rng = np.random.default_rng(1)
    points = np.hstack([rng.normal(size=(31, 2)), np.zeros((31, 1))])
    points[17, 2] = 0.5
    chosen = select_diverse(points, "cur", 3)
    assert 17 in chosen and len(set(chosen)) == 3


def test_budget_beyond_the_distinct_rows_is_filled_with_duplicates_once():
    points = np.repeat(np.eye(2), 3, axis=0)  # two distinct rows, three copies each
    chosen = select_diverse(points, "farthest", 4)
    assert len(chosen) == 4 == len(set(chosen))
    assert sorted({tuple(points[k]) for k in chosen[:2]}) == [(0.0, 1.0), (1.0, 0.0)]
    report = diversity_report(points, chosen)
    assert report["selected"] == 4 and report["fill_distance"] == 0.0
