"""training.group_balance: weights scaled by the number of structures of each kind."""

import numpy as np
import pytest

from mlpot.data import Frame
from mlpot.training.data import balance_kinds


def _frames(kinds, weights=None):
    weights = weights or [1.0] * len(kinds)
    frames = []
    for kind, weight in zip(kinds, weights, strict=True):
        frame = Frame(np.array([14]), np.zeros((1, 3)), np.zeros((3, 3)), np.zeros(3, bool), 0.0)
        frame.weight, frame.info["kind"] = weight, kind
        frames.append(frame)
    return frames


def _totals(frames):
    totals = {}
    for frame in frames:
        totals[frame.info["kind"]] = totals.get(frame.info["kind"], 0.0) + frame.weight
    return totals


def test_full_balance_gives_every_kind_the_same_total_weight():
    frames = _frames(["bulk"] * 6 + ["surface"] * 2)
    balance_kinds(frames, 1.0)
    assert _totals(frames) == pytest.approx({"bulk": 4.0, "surface": 4.0})
    assert np.mean([f.weight for f in frames]) == pytest.approx(1.0)


def test_partial_balance_scales_by_a_power_of_the_counts_and_keeps_given_weights():
    frames = _frames(["bulk"] * 4 + ["surface"], [1.0, 1.0, 1.0, 1.0, 3.0])
    balance_kinds(frames, 0.5)
    bulk, surface = frames[0].weight, frames[-1].weight / 3.0
    assert surface / bulk == pytest.approx(2.0)  # (4 / 1)^0.5
    assert bulk * 4 + surface * 1 == pytest.approx(5.0)  # mean factor 1


def test_no_balance_and_kinds_from_groups():
    frames = _frames(["a", "b", "b"])
    balance_kinds(frames, 0.0)
    assert [f.weight for f in frames] == [1.0, 1.0, 1.0]
    for frame, group in zip(frames, ["x", "y", "y"], strict=True):
        del frame.info["kind"]
        frame.group = group
    balance_kinds(frames, 1.0)
    assert [f.weight for f in frames] == pytest.approx([1.5, 0.75, 0.75])


def test_a_frame_drawn_twice_counts_twice_and_is_scaled_once():
    bulk, surface = _frames(["bulk", "surface"])
    balance_kinds([bulk, bulk, bulk, surface], 1.0)  # kinds 3 : 1 as drawn
    assert (bulk.weight, surface.weight) == pytest.approx((2.0 / 3.0, 2.0))
