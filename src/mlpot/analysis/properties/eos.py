"""Equation of state: energy against volume under isotropic strain, Birch-Murnaghan fit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ase import Atoms
from ase.units import GPa

from mlpot.analysis.properties.relax import relax
from mlpot.errors import MlpotError

EOS_FORM = "birchmurnaghan"  # ase.eos name of the fitted form


@dataclass
class EOSResult:
    """Energy-volume points and their fit, per atom.

    volumes: (P,) Å^3/atom; energies: (P,) eV/atom
    volume (V0, Å^3/atom), energy (E0, eV/atom), bulk_modulus (B, eV/Å^3) and
    bulk_modulus_derivative (B', dimensionless) of the fit.
    """

    volumes: np.ndarray
    energies: np.ndarray
    volume: float
    energy: float
    bulk_modulus: float
    bulk_modulus_derivative: float
    fit_parameters: np.ndarray  # ase.eos Birch-Murnaghan parameters (E0, B, B', V0)
    unconverged: list[int] = field(default_factory=list)  # points whose relaxation did not

    def fitted(self, volumes: np.ndarray) -> np.ndarray:
        """The fitted energy (eV/atom) at volumes (Å^3/atom)."""
        from ase.eos import birchmurnaghan

        return birchmurnaghan(np.asarray(volumes), *self.fit_parameters)

    def summary(self) -> dict:
        return {
            "volume_A3_per_atom": self.volume,
            "energy_eV_per_atom": self.energy,
            "bulk_modulus_GPa": self.bulk_modulus / GPa,
            "bulk_modulus_derivative": self.bulk_modulus_derivative,
        }

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "volumes_A3_per_atom": self.volumes.tolist(),
            "energies_eV_per_atom": self.energies.tolist(),
            "unconverged_points": self.unconverged,
        }

    def warnings(self) -> list[str]:
        if not self.unconverged:
            return []
        return [f"relaxation did not converge at points {self.unconverged}"]


def equation_of_state(
    atoms: Atoms,
    calc,
    *,
    max_strain: float = 0.03,
    points: int = 9,
    relax_ions: bool = False,
    fmax: float = 0.01,
    max_steps: int = 200,
) -> EOSResult:
    """E(V) of atoms (not modified) scaled by linear strains in [-max_strain, max_strain].

    The cell shape is kept; with relax_ions the positions are relaxed at each volume.
    """
    if not np.all(atoms.pbc) or atoms.cell.rank < 3:
        raise MlpotError(
            "the equation of state needs a structure periodic along three cell "
            f"vectors; this one has pbc={atoms.pbc.tolist()}"
        )
    if points < 5 or not 0 < max_strain < 0.5:
        raise MlpotError(
            f"need at least 5 points and 0 < strain < 0.5, got {points} and {max_strain}"
        )
    volumes, energies, unconverged = [], [], []
    for k, strain in enumerate(np.linspace(-max_strain, max_strain, points)):
        strained = atoms.copy()
        strained.set_cell(atoms.cell.array * (1 + strain), scale_atoms=True)
        strained.calc = calc
        if relax_ions and not relax(strained, fmax=fmax, max_steps=max_steps).converged:
            unconverged.append(k)
        volumes.append(strained.get_volume() / len(atoms))
        energies.append(strained.get_potential_energy() / len(atoms))
    return fit_eos(np.array(volumes), np.array(energies), unconverged)


def fit_eos(volumes: np.ndarray, energies: np.ndarray, unconverged: list[int] = ()) -> EOSResult:
    """Birch-Murnaghan fit (ase.eos) of energies (eV/atom) at volumes (Å^3/atom)."""
    from ase.eos import EquationOfState

    eos = EquationOfState(volumes, energies, eos=EOS_FORM)
    try:
        v0, e0, bulk_modulus = eos.fit(warn=False)
    except (RuntimeError, ValueError) as exc:  # scipy's curve_fit found no fit
        raise MlpotError(
            f"no Birch-Murnaghan fit of the energy-volume points ({exc}): check "
            "that the energy has a minimum in the strain range"
        ) from exc
    if not volumes.min() < v0 < volumes.max() or bulk_modulus <= 0:
        raise MlpotError(
            f"the fitted minimum V0 = {v0:.4g} Å^3/atom (B = {bulk_modulus / GPa:.4g} GPa) is not "
            f"inside the sampled volumes {volumes.min():.4g}-{volumes.max():.4g}: start from a "
            "structure nearer equilibrium or give a larger strain range"
        )
    return EOSResult(
        volumes,
        energies,
        float(v0),
        float(e0),
        float(bulk_modulus),
        float(eos.eos_parameters[2]),
        np.asarray(eos.eos_parameters),
        list(unconverged),
    )


def plot_eos(comparison, path) -> None:
    """E(V) points and fits of the model and of the reference (calculator or numbers)."""
    from mlpot.analysis.properties.plotting import (
        MODEL_COLOR,
        REFERENCE_COLOR,
        new_figure,
        save,
    )

    figure, (ax,) = new_figure()
    curves = [(comparison.model, comparison.model_label, MODEL_COLOR)]
    if comparison.reference is not None:
        curves.append((comparison.reference, comparison.reference_label, REFERENCE_COLOR))
    for result, label, color in curves:
        grid = np.linspace(result.volumes.min(), result.volumes.max(), 200)
        ax.plot(result.volumes, result.energies, "o", color=color)
        ax.plot(
            grid,
            result.fitted(grid),
            "-",
            color=color,
            label=f"{label}: V0 {result.volume:.4g} Å³, B {result.bulk_modulus / GPa:.4g} GPa",
        )
    numbers = comparison.reference_numbers or {}
    if "volume_A3_per_atom" in numbers:
        ax.axvline(
            numbers["volume_A3_per_atom"],
            color=REFERENCE_COLOR,
            ls="--",
            label=f"{comparison.reference_label}: V0",
        )
    ax.set_xlabel("volume (Å³/atom)")
    ax.set_ylabel("energy (eV/atom)")
    ax.set_title("equation of state (Birch-Murnaghan)")
    ax.legend(fontsize="small")
    save(figure, path)
