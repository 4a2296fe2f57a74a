"""A wall-time budget for training (training.max_minutes): how many epochs fit."""

from __future__ import annotations

import math

TIME_PROBE_EPOCH = 2  # the epochs are counted after this one (the first pays for warm-up)


def epochs_within(minutes: float, epoch_seconds: list[float]) -> float:
    """The number of epochs (those done included, at least those) that fit in `minutes` when
    each one left takes as long as the last of `epoch_seconds` (the epochs done); infinite
    when the last epoch took no measurable time."""
    done, spent, pace = len(epoch_seconds), sum(epoch_seconds), epoch_seconds[-1]
    left = minutes * 60.0 - spent
    if pace <= 0:  # no measurable pace: nothing to cut
        return math.inf
    return done + max(math.floor(left / pace), 0)
