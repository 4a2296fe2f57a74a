"""Per-element energy offsets: a universal model's absolute energies and those of a user's DFT
setup differ by a constant per element (pseudopotentials, code, reference states).

fit_offsets finds delta (eV per atom of each element) minimising the squared error of the
energy per atom on the user's frames,
    sum_f ((E_ref,f - E_model,f - sum_Z n_f,Z delta_Z) / N_f)^2,
the error that `mlpot evaluate` reports; OffsetCalculator adds sum_Z n_Z delta_Z to a
calculator's energy (forces and stress are unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase.calculators.calculator import Calculator, all_changes
from ase.data import chemical_symbols

from mlpot.data.frame import Frame
from mlpot.errors import MlpotError


@dataclass(frozen=True)
class Offsets:
    """delta: element symbol -> eV per atom, added to the model's energy; rms: the RMS error
    of the energy per atom on the fitted frames before and after (meV/atom); n_frames."""

    delta: dict[str, float]
    rms_before: float
    rms_after: float
    n_frames: int

    def energy(self, numbers: Sequence[int]) -> float:
        """sum_Z n_Z delta_Z (eV) of a structure with these atomic numbers."""
        missing = sorted({chemical_symbols[z] for z in numbers} - set(self.delta))
        if missing:
            raise MlpotError(
                f"no energy offset for {', '.join(missing)}: the frames the offsets were "
                "fitted on lack it; add frames with it to --offsets-from"
            )
        return float(sum(self.delta[chemical_symbols[z]] for z in numbers))

    def to_dict(self) -> dict:
        return {"eV_per_atom": dict(self.delta), "fitted_on_frames": self.n_frames,
                "rms_before_meV_per_atom": self.rms_before,
                "rms_after_meV_per_atom": self.rms_after}

    def table(self) -> str:
        values = ", ".join(f"{el} {value:+.4f}" for el, value in self.delta.items())
        return (f"energy offsets (eV/atom, fitted on {self.n_frames} frames): {values}; "
                f"energy RMSE on them {self.rms_before:.1f} -> {self.rms_after:.1f} meV/atom")


def fit_offsets(frames: Sequence[Frame], model_energies: Sequence[float]) -> Offsets:
    """Least-squares offsets (see the module docstring) from frames with reference energies
    (eV) and the model's energies of the same frames (eV). Elements whose counts are linearly
    dependent (one fixed ratio in every frame) share the minimum-norm solution, which still
    fits every composition of that ratio."""
    if len(frames) == 0 or len(frames) != len(model_energies):
        raise MlpotError(
            f"offsets need model energies for every frame ({len(frames)} frames, "
            f"{len(model_energies)} energies) and at least one frame"
        )
    elements = sorted({int(z) for f in frames for z in f.numbers})
    counts = np.array([[np.count_nonzero(f.numbers == z) for z in elements] for f in frames])
    n_atoms = counts.sum(1).astype(float)
    residual = (np.array([f.energy for f in frames]) - np.asarray(model_energies)) / n_atoms
    delta, *_ = np.linalg.lstsq(counts / n_atoms[:, None], residual, rcond=None)
    after = residual - (counts / n_atoms[:, None]) @ delta
    return Offsets(
        delta={chemical_symbols[z]: float(d) for z, d in zip(elements, delta, strict=True)},
        rms_before=float(np.sqrt(np.mean(residual**2)) * 1000),
        rms_after=float(np.sqrt(np.mean(after**2)) * 1000),
        n_frames=len(frames),
    )


class OffsetCalculator(Calculator):
    """`calc` with the per-element offsets added to energy, free_energy and the per-atom
    energies (eV); forces (eV/Å) and stress (eV/Å^3) are calc's."""

    def __init__(self, calc, offsets: Offsets, **kwargs):
        super().__init__(**kwargs)
        self.calc = calc
        self.offsets = offsets
        self.implemented_properties = list(
            getattr(calc, "implemented_properties", ("energy", "forces"))
        )

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms.copy()
        for name in properties:
            self.calc.get_property(name, atoms)
        self.results = dict(self.calc.results)
        shift = self.offsets.energy(atoms.numbers)
        for key in ("energy", "free_energy"):
            if key in self.results:
                self.results[key] = float(self.results[key]) + shift
        if "energies" in self.results:
            per_atom = [self.offsets.delta[chemical_symbols[z]] for z in atoms.numbers]
            self.results["energies"] = np.asarray(self.results["energies"]) + per_atom


def model_energies(calc, frames: Sequence[Frame], progress: bool = False) -> np.ndarray:
    """(F,) energies (eV) that the ASE calculator predicts for the frames (labels unused)."""
    from tqdm.auto import tqdm

    energies = []
    for frame in tqdm(frames, desc="offsets", disable=not progress):
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        try:
            energies.append(atoms.get_potential_energy())
        except MlpotError as exc:
            raise MlpotError(f"{frame.source}: {exc}") from exc
    return np.array(energies, dtype=float)


def read_offset_frames(entries: Sequence[str], config: str | None = None) -> list[Frame]:
    """Frames with reference energies to fit offsets on: data entries ("file [slice]") and the
    training groups of a `mlpot train` configuration."""
    from mlpot.data import read_frames

    frames = [f for entry in entries for f in read_frames(entry, require_forces=False)]
    if config is not None:
        from mlpot.config import load_config
        from mlpot.data import load_structure_list
        from mlpot.training.data import read_groups

        train = load_config(config).data.train
        if isinstance(train, list):
            frames += read_groups(train, require_forces=False)
        else:
            frames += load_structure_list(train, require_forces=False)
    return frames
