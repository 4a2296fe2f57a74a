"""Vacancy formation energy E_f = E(N-1) - (N-1)/N E(N) of a one-element supercell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms

from mlpot.analysis.properties.relax import Relaxation, relax
from mlpot.errors import MlpotError


@dataclass
class VacancyResult:
    """Energies in eV of the perfect supercell (N atoms) and of the one with a vacancy."""

    n_atoms: int
    perfect_energy: float
    unrelaxed_energy: float  # E(N-1) with the atoms where they were
    relaxed_energy: float  # E(N-1) after relaxation (= unrelaxed_energy without one)
    relaxation: Relaxation | None

    def formation_energy(self, defect_energy: float) -> float:
        n = self.n_atoms
        return defect_energy - (n - 1) / n * self.perfect_energy

    def summary(self) -> dict:
        return {
            "formation_energy_eV": self.formation_energy(self.relaxed_energy),
            "unrelaxed_formation_energy_eV": self.formation_energy(self.unrelaxed_energy),
        }

    def to_dict(self) -> dict:
        record = {
            **self.summary(),
            "n_atoms": self.n_atoms,
            "perfect_energy_eV": self.perfect_energy,
            "vacancy_energy_eV": self.relaxed_energy,
        }
        if self.relaxation is not None:
            record["relaxation"] = {
                **self.relaxation.to_dict(),
                "energies_eV": self.relaxation.energies,
            }
        return record

    def warnings(self) -> list[str]:
        if self.relaxation is None or self.relaxation.converged:
            return []
        return [f"the relaxation stopped unconverged after {self.relaxation.steps} steps"]


def vacancy_formation_energy(
    atoms: Atoms,
    calc,
    *,
    supercell: tuple[int, int, int] = (1, 1, 1),
    index: int = 0,
    relax_ions: bool = True,
    relax_cell: bool = False,
    fmax: float = 0.01,
    max_steps: int = 200,
) -> VacancyResult:
    """E_f of removing atom index from atoms repeated by supercell (atoms is not modified).

    With relax_ions the defect cell's positions are relaxed (and with relax_cell its cell
    too, after the perfect cell's, so both energies are at zero stress).
    """
    symbols = sorted(set(atoms.get_chemical_symbols()))
    if len(symbols) != 1:
        raise MlpotError(
            f"the vacancy formation energy E(N-1) - (N-1)/N E(N) needs a structure "
            f"of one element; this one has {', '.join(symbols)}"
        )
    if not np.all(atoms.pbc):
        raise MlpotError(f"a vacancy needs a periodic supercell; pbc is {atoms.pbc.tolist()}")
    perfect = atoms.repeat(supercell)
    if not -len(perfect) <= index < len(perfect) or len(perfect) < 2:
        raise MlpotError(f"cannot remove atom {index} from a supercell of {len(perfect)} atoms")
    perfect.calc = calc
    if relax_cell:
        relax(perfect, fmax=fmax, max_steps=max_steps, cell=True)
    perfect_energy = perfect.get_potential_energy()
    defect = perfect.copy()
    del defect[index]
    defect.calc = calc
    unrelaxed = defect.get_potential_energy()
    relaxation = None
    if relax_ions:
        relaxation = relax(defect, fmax=fmax, max_steps=max_steps, cell=relax_cell)
    return VacancyResult(
        len(perfect),
        float(perfect_energy),
        float(unrelaxed),
        float(defect.get_potential_energy()),
        relaxation,
    )


def plot_vacancy(comparison, path) -> None:
    """Formation energies of the model and the reference, and the model's relaxation."""
    from mlpot.analysis.properties.plotting import (
        MODEL_COLOR,
        REFERENCE_COLOR,
        grouped_bars,
        new_figure,
        save,
        summary_series,
    )

    figure, (bars_ax, relax_ax) = new_figure(2)
    names = ["formation_energy_eV", "unrelaxed_formation_energy_eV"]
    grouped_bars(bars_ax, ["relaxed", "unrelaxed"], summary_series(comparison, names), "eV")
    bars_ax.set_title(f"vacancy formation energy ({comparison.model.n_atoms}-atom cell)")
    for result, label, color in (
        (comparison.model, comparison.model_label, MODEL_COLOR),
        (comparison.reference, comparison.reference_label, REFERENCE_COLOR),
    ):
        if result is not None and result.relaxation is not None:
            energies = np.array(result.relaxation.energies)
            relax_ax.plot(energies - energies[-1], "o-", ms=3, color=color, label=label)
    relax_ax.set_xlabel("optimiser step")
    relax_ax.set_ylabel("E - E(final) (eV)")
    relax_ax.set_title("relaxation of the vacancy cell")
    if relax_ax.has_data():
        relax_ax.legend(fontsize="small")
    else:
        relax_ax.text(
            0.5, 0.5, "not relaxed", ha="center", va="center", transform=relax_ax.transAxes
        )
    save(figure, path)
