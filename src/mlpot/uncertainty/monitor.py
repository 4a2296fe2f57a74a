"""Uncertainty during a simulation: the columns MD logs and the thresholds that act on them.

Columns, read from the calculator when it provides them:
    energy_std           eV     committee spread of the total energy, or a GAP's
                                predictive standard deviation            ("energy_std")
    max_force_deviation  eV/Å   largest per-atom force deviation       ("max_force_deviation")
    extrapolating_atoms  atoms  atoms with a descriptor outside the training range
                                                                        ("extrapolation")
A committee (EnsembleCalculator) provides all three, a GAP (GapCalculator) the first and a
single model (MlpotCalculator) only the last, other calculators none.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ase import Atoms
from ase.calculators.calculator import BaseCalculator
from tqdm.auto import tqdm

from mlpot.errors import MlpotError

# log column -> calculator result it comes from
MONITOR_SOURCES = {
    "energy_std": "energy_std",
    "max_force_deviation": "max_force_deviation",
    "extrapolating_atoms": "extrapolation",
}
MONITOR_COLUMNS = tuple(MONITOR_SOURCES)


def monitor_columns(calc: BaseCalculator) -> tuple[str, ...]:
    """The monitor columns `calc` can fill, in MONITOR_COLUMNS order."""
    implemented = getattr(calc, "implemented_properties", ())
    return tuple(c for c in MONITOR_COLUMNS if MONITOR_SOURCES[c] in implemented)


def monitor_values(atoms: Atoms, columns: tuple[str, ...]) -> tuple[float, ...]:
    """The values of `columns` for the current state of atoms (with its calculator attached)."""
    values = []
    for column in columns:
        value = atoms.calc.get_property(MONITOR_SOURCES[column], atoms)
        if column == "extrapolating_atoms":
            value = np.count_nonzero(value)
        values.append(float(value))
    return tuple(values)


@dataclass(frozen=True)
class Thresholds:
    """Limits on the monitor columns, checked at every logged step.

    max_force_deviation: eV/Å, on the committee's max_force_deviation (needs several models)
    max_extrapolating:   number of atoms allowed to extrapolate (0: none may)
    max_energy_std:      eV, on energy_std (a committee's spread or a GAP's variance)
    action:              "warn" reports and goes on, "stop" ends the run at that step
    """

    max_force_deviation: float | None = None
    max_extrapolating: int | None = None
    action: Literal["warn", "stop"] = "warn"
    max_energy_std: float | None = None

    def __post_init__(self):
        if self.action not in ("warn", "stop"):
            raise MlpotError(f"unknown threshold action {self.action!r}: use 'warn' or 'stop'")
        if self.max_force_deviation is not None and not self.max_force_deviation > 0:
            raise MlpotError(
                f"max force deviation must be positive, got {self.max_force_deviation} eV/Å"
            )
        if self.max_energy_std is not None and not self.max_energy_std > 0:
            raise MlpotError(f"max energy std must be positive, got {self.max_energy_std} eV")
        if self.max_extrapolating is not None and self.max_extrapolating < 0:
            raise MlpotError(f"max extrapolating atoms must be >= 0, got {self.max_extrapolating}")

    def check_calculator(self, calc: BaseCalculator) -> None:
        """Raise MlpotError when `calc` cannot provide a quantity a threshold is set on."""
        available = monitor_columns(calc)
        if self.max_force_deviation is not None and "max_force_deviation" not in available:
            raise MlpotError(
                f"a force-deviation threshold needs a committee, which {type(calc).__name__} is "
                "not: give several models (or an ensemble.json)"
            )
        if self.max_energy_std is not None and "energy_std" not in available:
            raise MlpotError(
                f"an energy-std threshold needs a committee or a GAP model, which "
                f"{type(calc).__name__} is not"
            )
        if self.max_extrapolating is not None and "extrapolating_atoms" not in available:
            raise MlpotError(
                f"an extrapolation threshold needs descriptor ranges, which "
                f"{type(calc).__name__} does not have: use models trained by this mlpot version"
            )

    def exceeded(self, values: dict[str, float]) -> str | None:
        """Why `values` (monitor column -> value) break a threshold, or None."""
        reasons = []
        deviation = values.get("max_force_deviation")
        if self.max_force_deviation is not None and deviation > self.max_force_deviation:
            reasons.append(
                f"max force deviation {deviation:.4g} eV/Å > {self.max_force_deviation:g} eV/Å"
            )
        spread = values.get("energy_std")
        if self.max_energy_std is not None and spread > self.max_energy_std:
            reasons.append(f"energy std {spread:.4g} eV > {self.max_energy_std:g} eV")
        extrapolating = values.get("extrapolating_atoms")
        if self.max_extrapolating is not None and extrapolating > self.max_extrapolating:
            reasons.append(
                f"{extrapolating:.0f} atoms extrapolate > {self.max_extrapolating} allowed"
            )
        return "; ".join(reasons) or None


class Alarms:
    """Thresholds applied to MD log rows (columns as named): collects the warnings, printing
    one when a run of breaching records starts, and the reason to stop."""

    def __init__(self, thresholds: Thresholds | None, columns: tuple[str, ...]):
        self.thresholds = thresholds
        self.columns = columns
        self.warnings: list[str] = []
        self.stopped: str | None = None
        self._breaching = False

    def check(self, row: tuple[float, ...]) -> None:
        """Apply the thresholds to one log row (its first value is the step)."""
        if self.thresholds is None:
            return
        reason = self.thresholds.exceeded(dict(zip(self.columns, row, strict=True)))
        message = f"step {int(row[0])}: {reason}"
        if reason is not None and self.thresholds.action == "stop":
            self.stopped = message
        elif reason is not None:
            self.warnings.append(message)
            if not self._breaching:
                tqdm.write(f"warning: {message}", file=sys.stderr)
        self._breaching = reason is not None
