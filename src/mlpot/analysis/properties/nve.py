"""Energy conservation in NVE molecular dynamics (velocity Verlet, mlpot.simulation.md)."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np

from mlpot.errors import MlpotError

if TYPE_CHECKING:  # ase stays unimported when `mlpot --help` reads DRIFT_THRESHOLD
    from ase import Atoms

DRIFT_THRESHOLD = 1e-4  # eV/atom/ps: default limit above which the drift is flagged


@dataclass
class NVEResult:
    """Logged energies (eV, whole cell) and temperature (K) at time_ps (ps) of an NVE run."""

    n_atoms: int
    time_ps: np.ndarray
    total: np.ndarray
    potential: np.ndarray
    kinetic: np.ndarray
    temperature: np.ndarray
    threshold: float = DRIFT_THRESHOLD  # eV/atom/ps

    def drift_fit(self) -> tuple[float, float]:
        """Slope (eV/atom/ps) and intercept (eV/atom) of a line fitted to E_tot per atom."""
        slope, intercept = np.polyfit(self.time_ps, self.total / self.n_atoms, 1)
        return float(slope), float(intercept)

    def flagged(self) -> bool:
        return abs(self.drift_fit()[0]) > self.threshold

    def summary(self) -> dict:
        slope, intercept = self.drift_fit()
        per_atom = self.total / self.n_atoms
        return {
            "drift_eV_per_atom_per_ps": slope,
            "fluctuation_eV_per_atom": float(np.std(per_atom - (intercept + slope * self.time_ps))),
            "max_deviation_eV_per_atom": float(np.max(np.abs(per_atom - per_atom[0]))),
            "mean_temperature_K": float(np.mean(self.temperature)),
        }

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "threshold_eV_per_atom_per_ps": self.threshold,
            "flagged": self.flagged(),
            "n_atoms": self.n_atoms,
            "time_ps": self.time_ps.tolist(),
            "total_eV": self.total.tolist(),
            "potential_eV": self.potential.tolist(),
            "kinetic_eV": self.kinetic.tolist(),
            "temperature_K": self.temperature.tolist(),
        }

    def warnings(self) -> list[str]:
        if not self.flagged():
            return []
        return [
            f"total energy drifts by {self.drift_fit()[0]:.3g} eV/atom/ps, more than "
            f"{self.threshold:g}: use a smaller timestep, or the forces are not the "
            "derivative of a smooth energy"
        ]


def nve_energy_conservation(
    atoms: Atoms,
    calc,
    *,
    temperature_K: float = 300.0,
    timestep_fs: float = 1.0,
    steps: int = 2000,
    interval: int = 10,
    seed: int | None = 0,
    threshold: float = DRIFT_THRESHOLD,
    log: str | PathLike | None = None,
    progress: bool = False,
) -> NVEResult:
    """Run NVE from atoms (not modified) with Maxwell-Boltzmann velocities at temperature_K.

    Energies are logged every interval steps (and to the CSV log when given).
    """
    from mlpot.simulation.md import run_md

    if steps < 2 * interval:
        raise MlpotError(
            f"need at least two logged intervals to fit a drift: steps ({steps}) "
            f">= 2 * interval ({interval})"
        )
    result = run_md(
        atoms.copy(),
        calc,
        ensemble="nve",
        temperature_K=temperature_K,
        timestep_fs=timestep_fs,
        steps=steps,
        interval=interval,
        seed=seed,
        log=log,
        progress=progress,
    )
    return NVEResult(
        len(atoms),
        result.log["time_ps"],
        result.log["etot_eV"],
        result.log["epot_eV"],
        result.log["ekin_eV"],
        result.log["temperature_K"],
        threshold,
    )


def plot_nve(comparison, path) -> None:
    """Energies per atom against time, and the total energy's drift with its fit."""
    from mlpot.analysis.properties.plotting import MODEL_COLOR, REFERENCE_COLOR, new_figure, save

    figure, (energy_ax, drift_ax) = new_figure(2)
    model = comparison.model
    for values, label, style in (
        (model.total, "E_tot", "-"),
        (model.potential, "E_pot", "--"),
        (model.kinetic, "E_kin", ":"),
    ):
        energy_ax.plot(model.time_ps, (values - values[0]) / model.n_atoms, style, label=label)
    energy_ax.set_xlabel("time (ps)")
    energy_ax.set_ylabel("E - E(0) (eV/atom)")
    energy_ax.set_title(f"NVE energies, {comparison.model_label}")
    energy_ax.legend(fontsize="small")
    for result, label, color in (
        (model, comparison.model_label, MODEL_COLOR),
        (comparison.reference, comparison.reference_label, REFERENCE_COLOR),
    ):
        if result is None:
            continue
        slope, intercept = result.drift_fit()
        offset = result.total[0] / result.n_atoms
        drift_ax.plot(
            result.time_ps,
            1000 * (result.total / result.n_atoms - offset),
            color=color,
            label=f"{label}: {1000 * slope:.3g} meV/atom/ps",
        )
        drift_ax.plot(
            result.time_ps,
            1000 * (intercept + slope * result.time_ps - offset),
            "--",
            color=color,
            lw=0.8,
        )
    drift_ax.set_xlabel("time (ps)")
    drift_ax.set_ylabel("E_tot - E_tot(0) (meV/atom)")
    drift_ax.set_title("total-energy drift (dashed: linear fit)")
    drift_ax.legend(fontsize="small")
    save(figure, path)
