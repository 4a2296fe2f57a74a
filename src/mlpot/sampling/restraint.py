"""Guided MD: a harmonic restraint on a one-dimensional CV whose centre moves at a constant
rate from the CV's start value to a target, then stays there.

U(s) = kappa / 2 (s - c(n))^2, c(n) = s0 + sign(target - s0) min(rate n, |target - s0|) after
MD step n; s0 is the CV's value at the first evaluation (or given).
"""

from __future__ import annotations

import numpy as np

from mlpot.errors import MlpotError
from mlpot.sampling.bias import CVBias
from mlpot.sampling.cv import CollectiveVariable


class MovingRestraint(CVBias):
    """kappa in eV per CV unit squared; rate in CV units per MD step (> 0)."""

    def __init__(
        self,
        cv: CollectiveVariable,
        kappa: float,
        target: float,
        rate: float,
        start: float | None = None,
    ):
        if len(cv.names) != 1:
            raise MlpotError(
                f"a moving restraint drives one coordinate; {cv.names} has "
                f"{len(cv.names)}: combine them into one (DistanceCombination)"
            )
        if kappa <= 0 or rate <= 0:
            raise MlpotError(
                f"a moving restraint needs kappa > 0 and rate > 0; got {kappa}, {rate}"
            )
        self.cv, self.kappa, self.target, self.rate = cv, float(kappa), float(target), float(rate)
        self.start = None if start is None else float(start)
        self.step = 0

    @property
    def centre(self) -> float:
        """c(n) for the current step (the start value before any step)."""
        if self.start is None:
            raise MlpotError("the restraint has no start value yet: evaluate the structure first")
        span = self.target - self.start
        return self.start + np.sign(span) * min(self.rate * self.step, abs(span))

    def energy(self, values: np.ndarray) -> tuple[float, np.ndarray]:
        if self.start is None:
            self.start = float(values[0])
        delta = float(values[0]) - self.centre
        return 0.5 * self.kappa * delta**2, np.array([self.kappa * delta])

    def update(self, values: np.ndarray, step: int) -> bool:
        self.step = step
        return True

    def state(self) -> dict[str, np.ndarray]:
        start = np.nan if self.start is None else self.start
        return {"start": np.array(start), "restraint_step": np.array(self.step)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        start = float(state["start"])
        self.start = None if np.isnan(start) else start
        self.step = int(state["restraint_step"])
