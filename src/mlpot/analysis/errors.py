"""Prediction errors of a calculator against labelled frames.

predict_frames runs any ASE calculator on a list of Frames; paired_values lines up
reference and predicted values per quantity; error_report turns them into MAE/RMSE,
overall and per Frame.group.

Internal units are eV, eV/Å and eV/Å^3. Converted values appear only in the report
and in paired_values: energy per atom in eV/atom (errors in meV/atom), force components
in eV/Å, stress components in GPa (ase.units.GPa).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase.calculators.calculator import BaseCalculator
from ase.units import GPa
from tqdm.auto import tqdm

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.errors import MlpotError


@dataclass(frozen=True)
class Quantity:
    """How one compared quantity is labelled and scaled for reporting."""

    label: str  # axis / table label
    unit: str  # unit of the paired values
    error_unit: str  # unit of MAE / RMSE
    error_scale: float  # error_unit per unit


QUANTITIES: dict[str, Quantity] = {
    "energy": Quantity("energy per atom", "eV/atom", "meV/atom", 1000.0),
    "forces": Quantity("force components", "eV/Å", "eV/Å", 1.0),
    "stress": Quantity("stress components", "GPa", "GPa", 1.0),
}


@dataclass
class Predictions:
    """Calculator outputs for a list of frames, in internal units.

    energy: (F,) total energies, eV
    forces: F arrays of shape (N_i, 3), eV/Å
    stress: F arrays of shape (6,), eV/Å^3 (ASE sign, Voigt order), or None where the
            frame is not fully periodic, has no reference stress, or stress was not asked for
    """

    energy: np.ndarray
    forces: list[np.ndarray]
    stress: list[np.ndarray | None]

    def __len__(self) -> int:
        return len(self.energy)


def predict_frames(
    calc: BaseCalculator, frames: Sequence[Frame], *, stress: bool = True, progress: bool = False
) -> Predictions:
    """Run calc on every frame (unlabelled copies) and collect energy, forces and stress.

    Stress is computed only where stress is True, calc lists "stress" among its
    implemented_properties, the frame is periodic along all three cell vectors and the
    frame has a reference stress.
    """
    stress = stress and "stress" in getattr(calc, "implemented_properties", ("stress",))
    energies, forces, stresses = [], [], []
    for index, frame in enumerate(tqdm(frames, desc="predict", disable=not progress)):
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        want_stress = stress and frame.stress is not None and bool(np.all(frame.pbc))
        try:
            energies.append(atoms.get_potential_energy())
            forces.append(np.array(atoms.get_forces(), dtype=float))
            stresses.append(np.array(atoms.get_stress(voigt=True)) if want_stress else None)
        except MlpotError as exc:
            raise MlpotError(f"{_where(frame, index)}: {exc}") from exc
        if not (np.isfinite(energies[-1]) and np.isfinite(forces[-1]).all()):
            raise MlpotError(
                f"{_where(frame, index)}: the model predicts a non-finite energy or forces "
                f"(energy {energies[-1]}); check this structure and that the model file is intact"
            )
    return Predictions(np.array(energies, dtype=float), forces, stresses)


def _where(frame: Frame, index: int) -> str:
    return where(frame.source) if frame.source else f"frame {index}"


@dataclass(frozen=True)
class PairedValues:
    """Reference and predicted values of one quantity, flattened, in reporting units.

    ref, pred: (M,) values (M = frames for energy, force or stress components otherwise)
    group:     (M,) Frame.group of the frame each value comes from
    """

    ref: np.ndarray
    pred: np.ndarray
    group: np.ndarray

    def select(self, group: str) -> PairedValues:
        mask = self.group == group
        return PairedValues(self.ref[mask], self.pred[mask], self.group[mask])


def paired_values(
    frames: Sequence[Frame], predictions: Predictions
) -> dict[str, PairedValues]:
    """Reference/predicted pairs for "energy" (eV/atom), "forces" (eV/Å), "stress" (GPa).

    Forces are compared where the frame has reference forces, stress where both the frame
    and the prediction have one.
    """
    _check_matching(frames, predictions)
    rows: dict[str, list[tuple[np.ndarray, np.ndarray, str]]] = {q: [] for q in QUANTITIES}
    columns = (frames, predictions.energy, predictions.forces, predictions.stress)
    for frame, *predicted in zip(*columns, strict=True):
        for name, (ref, pred) in _frame_pairs(frame, *predicted).items():
            rows[name].append((ref, pred, frame.group))
    return {name: _stack(rows[name]) for name in QUANTITIES}


def _frame_pairs(
    frame: Frame, energy: float, forces: np.ndarray, stress: np.ndarray | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(ref, pred) flat arrays in reporting units for the quantities this frame has."""
    n_atoms = len(frame)
    pairs = {"energy": (np.array([frame.energy / n_atoms]), np.array([energy / n_atoms]))}
    if frame.forces is not None:
        pairs["forces"] = (np.ravel(frame.forces), np.ravel(forces))
    if frame.stress is not None and stress is not None:
        pairs["stress"] = (np.ravel(frame.stress) / GPa, np.ravel(stress) / GPa)
    return pairs


def _stack(rows: list[tuple[np.ndarray, np.ndarray, str]]) -> PairedValues:
    if not rows:
        empty = np.zeros(0)
        return PairedValues(empty, empty, np.zeros(0, dtype=str))
    ref = np.concatenate([r for r, _, _ in rows]).astype(float)
    pred = np.concatenate([p for _, p, _ in rows]).astype(float)
    group = np.repeat(np.array([g for _, _, g in rows]), [len(r) for r, _, _ in rows])
    return PairedValues(ref, pred, group)


def _check_matching(frames: Sequence[Frame], predictions: Predictions) -> None:
    if len(frames) != len(predictions):
        raise MlpotError(
            f"{len(frames)} frames but {len(predictions)} predictions: "
            "pass the predictions made by predict_frames for the same frames"
        )
    for index, (frame, forces) in enumerate(zip(frames, predictions.forces, strict=True)):
        if np.shape(forces) != (len(frame), 3):
            raise MlpotError(
                f"{_where(frame, index)}: predicted forces have shape {np.shape(forces)}, "
                f"expected ({len(frame)}, 3): predictions do not belong to these frames"
            )


@dataclass(frozen=True)
class Metric:
    """Mean absolute and root-mean-square error over count values, in a reporting unit."""

    mae: float
    rmse: float
    count: int
    unit: str

    def to_dict(self) -> dict:
        return {"mae": self.mae, "rmse": self.rmse, "count": self.count, "unit": self.unit}


def metric(pairs: PairedValues, quantity: Quantity) -> Metric | None:
    """MAE/RMSE of pred - ref in quantity.error_unit; None when there is nothing to compare."""
    if len(pairs.ref) == 0:
        return None
    diff = (pairs.pred - pairs.ref) * quantity.error_scale
    return Metric(
        mae=float(np.mean(np.abs(diff))),
        rmse=float(np.sqrt(np.mean(diff**2))),
        count=len(diff),
        unit=quantity.error_unit,
    )


@dataclass(frozen=True)
class GroupErrors:
    """Errors of one group of frames (or of all frames); None where nothing was compared.

    energy: energy per atom, meV/atom (count = frames)
    forces: force components, eV/Å (count = components)
    stress: stress components, GPa (count = components)
    """

    n_frames: int
    energy: Metric | None
    forces: Metric | None
    stress: Metric | None

    def metrics(self) -> dict[str, Metric | None]:
        return {"energy": self.energy, "forces": self.forces, "stress": self.stress}

    def to_dict(self) -> dict:
        out: dict = {"n_frames": self.n_frames}
        for name, value in self.metrics().items():
            out[name] = None if value is None else value.to_dict()
        return out


@dataclass(frozen=True)
class ErrorReport:
    """Errors over all frames and per Frame.group (groups sorted by name)."""

    overall: GroupErrors
    groups: dict[str, GroupErrors]

    def to_dict(self) -> dict:
        """A JSON-serialisable dict: {"overall": ..., "groups": {name: ...}}."""
        return {
            "overall": self.overall.to_dict(),
            "groups": {name: errors.to_dict() for name, errors in self.groups.items()},
        }

    def table(self) -> str:
        """A plain-text table: one row per group and quantity (groups only if several)."""
        sections = [("all frames", self.overall)]
        if len(self.groups) > 1:
            sections += list(self.groups.items())
        width = max(len(name) for name, _ in sections)
        header = (
            f"{'group':<{width}}  {'quantity':<17}  {'unit':<8}  "
            f"{'count':>8}  {'MAE':>10}  {'RMSE':>10}"
        )
        lines = [header, "-" * len(header)]
        for name, errors in sections:
            lines += _table_rows(name, width, errors)
        return "\n".join(lines)


def _table_rows(name: str, width: int, errors: GroupErrors) -> list[str]:
    rows = []
    for key, value in errors.metrics().items():
        label, unit = QUANTITIES[key].label, QUANTITIES[key].error_unit
        if value is None:
            numbers = f"{0:>8}  {'-':>10}  {'-':>10}"
        else:
            numbers = f"{value.count:>8}  {value.mae:>10.4g}  {value.rmse:>10.4g}"
        rows.append(f"{name:<{width}}  {label:<17}  {unit:<8}  {numbers}")
    return rows


def error_report(frames: Sequence[Frame], predictions: Predictions) -> ErrorReport:
    """MAE and RMSE of energy per atom, forces and stress, overall and per group."""
    pairs = paired_values(frames, predictions)
    groups = sorted({frame.group for frame in frames})
    n_per_group = {g: sum(frame.group == g for frame in frames) for g in groups}
    overall = _group_errors(pairs, len(frames))
    per_group = {
        g: _group_errors({k: p.select(g) for k, p in pairs.items()}, n_per_group[g])
        for g in groups
    }
    return ErrorReport(overall, per_group)


def _group_errors(pairs: dict[str, PairedValues], n_frames: int) -> GroupErrors:
    return GroupErrors(
        n_frames=n_frames,
        energy=metric(pairs["energy"], QUANTITIES["energy"]),
        forces=metric(pairs["forces"], QUANTITIES["forces"]),
        stress=metric(pairs["stress"], QUANTITIES["stress"]),
    )
