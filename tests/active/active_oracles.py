"""Oracle factories for the tests ("active_oracles:counting_emt" in a configuration): EMT
that logs every structure it is called on, and optionally fails on one composition; EMT that
fails on every structure."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
from ase.calculators.emt import EMT


def fingerprint(atoms) -> str:
    """Identifies a structure by its atomic numbers, cell and positions (to 1e-5 Å)."""
    data = np.concatenate(
        [atoms.numbers, np.round(atoms.cell.array, 5).ravel(), np.round(atoms.positions, 5).ravel()]
    )
    return hashlib.sha1(data.tobytes()).hexdigest()


class CountingEMT(EMT):
    """EMT appending the fingerprint of each structure it calculates to `log`."""

    def __init__(self, log: str, fail_formula: str | None = None):
        super().__init__()
        self.log = Path(log)
        self.fail_formula = fail_formula

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        with open(self.log, "a") as handle:
            handle.write(fingerprint(atoms) + "\n")
        if atoms.get_chemical_formula() == self.fail_formula:
            raise RuntimeError(f"no convergence for {self.fail_formula}")
        super().calculate(atoms, properties, system_changes)


def counting_emt(log: str, fail_formula: str | None = None) -> CountingEMT:
    return CountingEMT(log, fail_formula)


class FailingEMT(EMT):
    """EMT that fails on every structure (an oracle that cannot start)."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        raise RuntimeError("license server not reachable\n    (after 3 tries)")


def failing_emt() -> FailingEMT:
    return FailingEMT()


def calls(log: Path) -> list[str]:
    """Fingerprints logged so far, one per oracle call that reached the calculator."""
    return log.read_text().split() if log.exists() else []


class SlowEMT(CountingEMT):
    """CountingEMT that takes `seconds` per structure (an expensive oracle)."""

    def __init__(self, log: str, seconds: float):
        super().__init__(log)
        self.seconds = seconds

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        super().calculate(atoms, properties, system_changes)
        time.sleep(self.seconds)


def slow_emt(log: str, seconds: float) -> SlowEMT:
    return SlowEMT(log, seconds)
