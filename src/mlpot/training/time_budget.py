"""A wall-time budget for training (training.max_minutes): how many epochs fit."""

from __future__ import annotations

import math
import statistics

# The epochs after which the count is fitted to the budget: the first check sees one epoch
# past warm-up, the second a median over several (the pace settles after the first few).
TIME_CHECK_EPOCHS = (2, 10)


def epochs_within(minutes: float, epoch_seconds: list[float]) -> float:
    """The number of epochs (those done included, at least those) that fit in `minutes` when
    each one left takes the median time of the epochs done after the first (which pays for
    warm-up); infinite when that median is not measurable."""
    done, spent = len(epoch_seconds), sum(epoch_seconds)
    pace = statistics.median(epoch_seconds[1:] or epoch_seconds)
    left = minutes * 60.0 - spent
    if pace <= 0:  # no measurable pace: nothing to cut
        return math.inf
    return done + max(math.floor(left / pace), 0)
