"""Stress labels against energies: an isotropic offset such as a Pulay stress.

Two frames with the same atoms at the same fractional positions in cells a small homogeneous
strain eps apart (a crystal strained step by step, as elastic data sets hold) differ in energy
by the work of the stress, E_b - E_a = integral of V sigma : d eps, which the trapezoidal rule
gives from the two frames' labels: W = (V_a sigma_a + V_b sigma_b) : eps / 2. A plane-wave code
whose basis is not converged with the cell volume reports stresses off by a constant pressure
(Pulay stress) while its energies are consistent; labels sigma + s0 I then give the residual
W - (E_b - E_a) = s0 (V_a + V_b) tr(eps) / 2, and s0 is fitted by least squares over the pairs.
A model trained on such labels tilts its energy-volume curve to meet them: strained cells'
energies are then off by about s0 times their volume change.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from ase.stress import voigt_6_to_full_3x3_stress
from ase.units import GPa

from mlpot.data.frame import Frame
from mlpot.data.sanity import notify

MAX_STRAIN_STEP = 0.025  # largest Green strain component between the two frames of a pair
MIN_PAIRS = 4  # pairs with a volume change needed for an estimate
# smaller estimates are not removed: on exact labels (W SNAP, Nb UF3) and on the Zuo Si, Ge and
# Li DFT sets the estimate is within 0.1 GPa of zero (the trapezoidal rule's error at 2 % steps)
MIN_OFFSET = 0.25 * GPa  # eV/Å^3
DECIMALS = 3  # fractional coordinates are compared rounded to this


@dataclass(frozen=True)
class StressOffset:
    """An isotropic offset of stress labels: stress (eV/Å^3, ASE sign, so a Pulay stress that
    makes labels too compressive is negative), its standard error, and the pairs of strained
    frames it was fitted on."""

    stress: float
    standard_error: float
    pairs: int

    @property
    def significant(self) -> bool:
        return abs(self.stress) >= MIN_OFFSET

    def describe(self) -> str:
        return (f"an isotropic {self.stress / GPa:+.2f} GPa (+/- {self.standard_error / GPa:.2f}, "
                f"from {self.pairs} pairs of strained copies; a Pulay stress?)")

    def record(self, removed: bool) -> dict:
        return {"stress_gpa": self.stress / GPa, "standard_error_gpa": self.standard_error / GPa,
                "pairs": self.pairs, "removed": removed}


def strained_pairs(frames: Sequence[Frame]) -> list[tuple[Frame, Frame, np.ndarray]]:
    """(a, b, eps): periodic frames with stress labels, the same atoms at the same fractional
    positions, and cells a Green strain eps (3, 3) apart, no component above MAX_STRAIN_STEP."""
    families: dict[tuple, list[Frame]] = {}
    for frame in frames:
        if frame.stress is None or not np.all(frame.pbc):
            continue
        cell = np.asarray(frame.cell, dtype=float)
        fractional = np.linalg.solve(cell.T, np.asarray(frame.positions, dtype=float).T).T
        key = np.round(fractional, DECIMALS) % 1.0 + 0.0  # + 0.0: no negative zeros
        families.setdefault((tuple(frame.numbers), key.tobytes()), []).append(frame)
    pairs = []
    for family in families.values():
        for a, b in itertools.combinations(family, 2):
            change = np.linalg.solve(np.asarray(a.cell, float), np.asarray(b.cell, float))
            strain = 0.5 * (change @ change.T - np.eye(3))
            if 1e-8 < np.abs(strain).max() <= MAX_STRAIN_STEP:
                pairs.append((a, b, strain))
    return pairs


def estimate_stress_offset(frames: Sequence[Frame]) -> StressOffset | None:
    """The isotropic offset of the frames' stress labels against their energies, or None
    where fewer than MIN_PAIRS strained pairs with a volume change exist."""
    volume_term, residual = [], []
    for a, b, strain in strained_pairs(frames):
        va, vb = abs(np.linalg.det(a.cell)), abs(np.linalg.det(b.cell))
        work = 0.5 * np.sum((va * voigt_6_to_full_3x3_stress(a.stress)
                             + vb * voigt_6_to_full_3x3_stress(b.stress)) * strain)
        x = 0.5 * (va + vb) * np.trace(strain) / len(a)
        if abs(x) > 1e-8:
            volume_term.append(x)
            residual.append((work - (b.energy - a.energy)) / len(a))
    if len(volume_term) < MIN_PAIRS:
        return None
    x, r = np.array(volume_term), np.array(residual)
    stress = float(x @ r / (x @ x))
    spread = np.sum((r - stress * x) ** 2) / (len(x) - 1)
    return StressOffset(stress, float(np.sqrt(spread / (x @ x))), len(x))


def without_offset(frame: Frame, offset: StressOffset) -> Frame:
    """A copy of the frame with the offset taken off its stress label (the frame itself where
    it has none)."""
    if frame.stress is None:
        return frame
    shift = np.array([offset.stress] * 3 + [0.0] * 3)
    return replace(frame, stress=np.asarray(frame.stress) - shift)


def remove_stress_offsets(train: list[Frame], validation: list[Frame],
                          target_fidelity: str | None = None
                          ) -> tuple[list[Frame], list[Frame], dict[str, dict]]:
    """Per fidelity of the training-side frames (one level of theory, one basis): estimate
    the offset of its stress labels and, where it is significant, take it off them, with a
    warning. Returns the frames and a record per fidelity that had an estimate."""
    records = {}
    for fidelity in dict.fromkeys(f.fidelity for f in train + validation):
        offset = estimate_stress_offset([f for f in train + validation
                                         if f.fidelity == fidelity])
        if offset is None:
            continue
        name = fidelity or target_fidelity or "data"
        records[name] = offset.record(removed=offset.significant)
        if not offset.significant:
            continue
        notify(
            f"the stress labels of the training data{f' ({fidelity})' if fidelity else ''} "
            f"disagree with its energies by {offset.describe()}: it is taken off them for "
            "training, so that the model's energy-volume curve follows the energies "
            "(data.stress_offset: keep trains on them as they are)"
        )
        train, validation = (
            [without_offset(f, offset) if f.fidelity == fidelity else f for f in frames]
            for frames in (train, validation)
        )
    return train, validation, records
