"""Biases on collective variables: what BiasedCalculator adds to a potential.

A bias holds its collective variable, gives V(s) in eV with dV/ds, and may change after each
MD step (hills deposited, a restraint's centre moved); its state is plain arrays, so a
restarted run continues with the same bias.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from mlpot.sampling.cv import CollectiveVariable


class Bias(Protocol):
    """cv: what it acts on; energy(s) -> (V eV, dV/ds (K,)); update(s, step) after MD step
    `step` (1, 2, ...), True when V changed; state() / load_state(state): plain arrays."""

    cv: CollectiveVariable

    def energy(self, values: np.ndarray) -> tuple[float, np.ndarray]: ...

    def update(self, values: np.ndarray, step: int) -> bool: ...

    def state(self) -> dict[str, np.ndarray]: ...

    def load_state(self, state: dict[str, np.ndarray]) -> None: ...
