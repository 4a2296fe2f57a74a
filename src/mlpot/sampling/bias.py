"""Biases: what BiasedCalculator adds to a potential.

A bias gives its energy in eV with dV/dR and dV/d(strain) for a structure (`terms`), may change
after each MD step (hills deposited, a restraint's centre moved), and keeps its state as plain
arrays, so a restarted run continues with the same bias. Most biases act on a collective
variable through V(s) and dV/ds (`CVBias`).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np
from ase import Atoms

from mlpot.sampling.cv import CollectiveVariable


class BiasTerms(NamedTuple):
    """values: what the run records (s (K,), or per-atom projections); energy eV;
    gradient (N, 3) dV/dR, eV/Å; virial (3, 3) dV/d(strain), eV, or None where not given."""

    values: np.ndarray
    energy: float
    gradient: np.ndarray
    virial: np.ndarray | None


class Bias(Protocol):
    """cv: what it reads (`names` label its dimensions); terms(atoms); update(values, step)
    after MD step `step` (1, 2, ...), True when V changed; state() / load_state(state)."""

    cv: CollectiveVariable

    def terms(self, atoms: Atoms) -> BiasTerms: ...

    def update(self, values: np.ndarray, step: int) -> bool: ...

    def state(self) -> dict[str, np.ndarray]: ...

    def load_state(self, state: dict[str, np.ndarray]) -> None: ...


class CVBias:
    """A bias V(s) on a collective variable: subclasses give `energy(s) -> (V, dV/ds (K,))`."""

    cv: CollectiveVariable

    def energy(self, values: np.ndarray) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def terms(self, atoms: Atoms) -> BiasTerms:
        cv = self.cv.evaluate(atoms)
        energy, dvds = self.energy(cv.values)
        gradient = np.einsum("k,kna->na", dvds, cv.gradient)
        virial = None if cv.virial is None else np.einsum("k,kab->ab", dvds, cv.virial)
        return BiasTerms(cv.values, energy, gradient, virial)
