"""Which epoch's model a training run keeps.

A small validation set ranks epochs by noise once the loss has flattened: the single lowest
validation loss is then an early, arbitrary epoch. The rules:

- lowest: the epoch of the lowest validation loss (beyond early stopping's min_delta);
- latest_within_se: the latest epoch whose validation loss lies within one standard error of
  the lowest (the standard error of the mean of the per-structure losses of that lowest
  epoch): the most trained model the validation set cannot tell from the best;
- last: the last epoch.

Without validation frames the training loss ranks epochs, with no standard error.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

RULES = ("lowest", "latest_within_se", "last")


@dataclass
class EpochSelection:
    """Decides epoch by epoch whether this epoch's model replaces the kept one."""

    rule: str
    min_delta: float = 0.0
    lowest: float = math.inf
    lowest_se: float = 0.0

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown selection rule {self.rule!r}; use one of {RULES}")

    def judge(self, loss: float, se: float) -> tuple[bool, bool]:
        """(improved, kept) for an epoch with this loss and standard error: whether it lowered
        the lowest loss by more than min_delta, and whether its model replaces the kept one."""
        improved = loss < self.lowest - self.min_delta
        if improved:
            self.lowest, self.lowest_se = loss, se if math.isfinite(se) else 0.0
        if self.rule == "lowest":
            return improved, improved
        if self.rule == "last":
            return improved, True
        return improved, improved or loss <= self.lowest + self.lowest_se

    def restart(self) -> None:
        """A new loss that cannot be compared with the old one."""
        self.lowest, self.lowest_se = math.inf, 0.0

    def state(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict) -> EpochSelection:
        return cls(**state)
