"""A wall-time budget for training (training.max_minutes): how many epochs fit."""

from __future__ import annotations

import math

FIRST_CHECK = 2  # the first epoch pays for warm-up: the count is first fitted after the second
CHECK_EVERY = 10  # and again after every tenth, as the pace on a shared machine drifts


def is_budget_check(epoch: int) -> bool:
    """Whether the count of epochs is fitted to the budget after this epoch."""
    return epoch == FIRST_CHECK or epoch % CHECK_EVERY == 0


def epoch_pace(epoch_seconds: list[float]) -> float:
    """Seconds per epoch to expect: the mean of the epochs after the first."""
    timed = epoch_seconds[1:] or epoch_seconds
    return sum(timed) / len(timed)


def epochs_within(minutes: float, epoch_seconds: list[float]) -> float:
    """The number of epochs (those done included, at least those) that fit in `minutes` when
    each one left takes `epoch_pace`; infinite when that is not measurable."""
    done, spent, pace = len(epoch_seconds), sum(epoch_seconds), epoch_pace(epoch_seconds)
    left = minutes * 60.0 - spent
    if pace <= 0:  # no measurable pace: nothing to cut
        return math.inf
    return done + max(math.floor(left / pace), 0)
