"""Surface energy gamma = (E_slab - N E_bulk/atom) / 2A of a slab cut by ase.build.surface."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.units import _e

from mlpot.analysis.properties.relax import Relaxation, relax
from mlpot.errors import MlpotError

J_PER_M2_PER_EV_PER_A2 = _e * 1e20  # 1 eV/Å^2 in J/m^2 (eV in J, 1/Å^2 in 1/m^2)


def miller_label(miller: tuple[int, int, int]) -> str:
    """ "111", "1-10": the name of a Miller index in reference files and outputs."""
    return "".join(str(index) for index in miller)


@dataclass
class SurfaceResult:
    """A slab of n_atoms with two surfaces of area (Å^2 each); energies in eV."""

    miller: tuple[int, int, int]
    n_atoms: int
    area: float
    bulk_energy_per_atom: float
    unrelaxed_energy: float
    relaxed_energy: float  # = unrelaxed_energy without relaxation
    relaxation: Relaxation | None

    def surface_energy(self, slab_energy: float) -> float:
        """eV/Å^2."""
        return (slab_energy - self.n_atoms * self.bulk_energy_per_atom) / (2 * self.area)

    def summary(self) -> dict:
        gamma = self.surface_energy(self.relaxed_energy)
        return {
            "surface_energy_J_m2": gamma * J_PER_M2_PER_EV_PER_A2,
            "surface_energy_eV_A2": gamma,
            "unrelaxed_surface_energy_J_m2": self.surface_energy(self.unrelaxed_energy)
            * J_PER_M2_PER_EV_PER_A2,
        }

    def to_dict(self) -> dict:
        record = {
            **self.summary(),
            "miller": list(self.miller),
            "n_atoms": self.n_atoms,
            "area_A2": self.area,
            "bulk_energy_eV_per_atom": self.bulk_energy_per_atom,
            "slab_energy_eV": self.relaxed_energy,
        }
        if self.relaxation is not None:
            record["relaxation"] = self.relaxation.to_dict()
        return record

    def warnings(self) -> list[str]:
        if self.relaxation is None or self.relaxation.converged:
            return []
        return [f"the slab relaxation stopped unconverged after {self.relaxation.steps} steps"]


def surface_energy(
    bulk: Atoms,
    calc,
    miller: tuple[int, int, int],
    *,
    layers: int = 5,
    vacuum: float = 10.0,
    relax_ions: bool = False,
    fmax: float = 0.01,
    max_steps: int = 200,
) -> SurfaceResult:
    """gamma of the miller surface of bulk (not modified), indices relative to bulk's cell.

    The slab is layers repeats of the surface cell with vacuum (Å) on each side, periodic in
    all three directions (the vacuum must exceed the interaction range). The bulk energy per
    atom is that of bulk as given: give the relaxed bulk cell.
    """
    from ase.build import surface

    if not np.all(bulk.pbc) or bulk.cell.rank < 3:
        raise MlpotError(
            f"surface energies need a periodic bulk structure; this one has pbc={bulk.pbc.tolist()}"
        )
    if not any(miller) or layers < 1 or vacuum <= 0:
        raise MlpotError(
            f"need non-zero Miller indices, layers >= 1 and vacuum > 0, got "
            f"{tuple(miller)}, {layers}, {vacuum}"
        )
    reference = bulk.copy()
    reference.calc = calc
    bulk_energy = reference.get_potential_energy() / len(bulk)
    slab = surface(bulk, tuple(miller), layers, vacuum=vacuum, periodic=True)
    slab.calc = calc
    unrelaxed = slab.get_potential_energy()
    relaxation = relax(slab, fmax=fmax, max_steps=max_steps) if relax_ions else None
    area = float(np.linalg.norm(np.cross(slab.cell[0], slab.cell[1])))
    return SurfaceResult(
        tuple(int(i) for i in miller),
        len(slab),
        area,
        float(bulk_energy),
        float(unrelaxed),
        float(slab.get_potential_energy()),
        relaxation,
    )


def plot_surface(comparison, path) -> None:
    """Surface energies (J/m^2) of the model and the reference, relaxed and unrelaxed."""
    from mlpot.analysis.properties.plotting import grouped_bars, new_figure, save, summary_series

    figure, (ax,) = new_figure()
    names, labels = ["surface_energy_J_m2"], ["as cut"]
    if comparison.model.relaxation is not None:
        names, labels = names + ["unrelaxed_surface_energy_J_m2"], ["relaxed", "unrelaxed"]
    grouped_bars(ax, labels, summary_series(comparison, names), "J/m²")
    ax.set_title(
        f"({miller_label(comparison.model.miller)}) surface energy, "
        f"{comparison.model.n_atoms}-atom slab"
    )
    save(figure, path)
