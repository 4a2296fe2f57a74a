"""Elastic constants C_ij from stress against small strains (central differences).

Voigt order xx, yy, zz, yz, xz, xy (ASE's), engineering shear strains (gamma = 2 epsilon),
ASE's stress sign (positive = tensile), so that sigma_i = sum_j C_ij e_j.
Kept beside ASE's get_elasticity_tensor, which strains the atoms it is given, applies
unsymmetrised strains and cannot relax the ions in each strained cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ase import Atoms
from ase.stress import voigt_6_to_full_3x3_strain
from ase.units import GPa

from mlpot.analysis.properties.relax import relax
from mlpot.errors import MlpotError


@dataclass
class ElasticResult:
    """stiffness: (6, 6) C_ij in eV/Å^3; residual_stress: (6,) stress of the unstrained cell."""

    stiffness: np.ndarray
    residual_stress: np.ndarray
    unconverged: list[str] = field(default_factory=list)  # strains whose relaxation did not

    def cubic(self) -> dict[str, float]:
        """C11, C12, C44 averaged over the cubic-equivalent entries, eV/Å^3."""
        c = self.stiffness
        return {
            "C11": float(np.mean(np.diag(c)[:3])),
            "C12": float(np.mean([c[0, 1], c[0, 2], c[1, 2], c[1, 0], c[2, 0], c[2, 1]])),
            "C44": float(np.mean(np.diag(c)[3:])),
        }

    def voigt_moduli(self) -> tuple[float, float]:
        """Voigt averages of the bulk and shear moduli, eV/Å^3."""
        c = self.stiffness
        diagonal, off = np.trace(c[:3, :3]), c[0, 1] + c[0, 2] + c[1, 2]
        shear = np.trace(c[3:, 3:])
        return float((diagonal + 2 * off) / 9), float((diagonal - off + 3 * shear) / 15)

    def summary(self) -> dict:
        bulk, shear = self.voigt_moduli()
        cubic = {f"{name}_GPa": value / GPa for name, value in self.cubic().items()}
        return {**cubic, "bulk_modulus_GPa": bulk / GPa, "shear_modulus_GPa": shear / GPa}

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "stiffness_GPa": (self.stiffness / GPa).tolist(),
            "residual_stress_GPa": (self.residual_stress / GPa).tolist(),
            "asymmetry_GPa": float(np.max(np.abs(self.stiffness - self.stiffness.T)) / GPa),
            "unconverged_strains": self.unconverged,
        }

    def warnings(self) -> list[str]:
        notes = []
        largest = np.max(np.abs(self.residual_stress[:3])) / GPa
        if largest > 0.5:
            notes.append(
                f"the unstrained cell is under {largest:.3g} GPa stress: relax the cell "
                "first, or the constants are those of a strained crystal"
            )
        if self.unconverged:
            notes.append(f"relaxation did not converge for strains {self.unconverged}")
        return notes


def elastic_constants(
    atoms: Atoms,
    calc,
    *,
    strain: float = 0.005,
    relax_ions: bool = False,
    fmax: float = 0.005,
    max_steps: int = 200,
) -> ElasticResult:
    """C_ij of atoms' cell as given (not modified): stress at +-strain of each Voigt component.

    relax_ions relaxes the positions in every strained cell (needed for crystals whose atoms
    are not all at centres of symmetry).
    """
    if not np.all(atoms.pbc) or atoms.cell.rank < 3:
        raise MlpotError(
            "elastic constants need a structure periodic along three cell "
            f"vectors; this one has pbc={atoms.pbc.tolist()}"
        )
    if not 0 < strain < 0.1:
        raise MlpotError(f"strain must be in (0, 0.1), got {strain}")
    unconverged: list[str] = []

    def stress(voigt_strain: np.ndarray, label: str) -> np.ndarray:
        """Stress of the cell strained by voigt_strain (6,), shear as engineering strain."""
        strained = atoms.copy()
        deformation = voigt_6_to_full_3x3_strain(voigt_strain)  # 1 + symmetric strain
        strained.set_cell(atoms.cell.array @ deformation, scale_atoms=True)
        strained.calc = calc
        if relax_ions and not relax(strained, fmax=fmax, max_steps=max_steps).converged:
            unconverged.append(label)
        return strained.get_stress(voigt=True)

    stiffness = np.zeros((6, 6))
    for j, unit in enumerate(np.eye(6)):
        plus = stress(strain * unit, f"+e{j + 1}")
        minus = stress(-strain * unit, f"-e{j + 1}")
        stiffness[:, j] = (plus - minus) / (2 * strain)
    return ElasticResult(stiffness, stress(np.zeros(6), "0"), unconverged)


def plot_elastic(comparison, path) -> None:
    """The model's 6x6 C_ij, and its cubic constants and moduli next to the reference's."""
    from mlpot.analysis.properties.plotting import grouped_bars, new_figure, save, summary_series

    figure, (matrix_ax, bars_ax) = new_figure(2)
    stiffness = comparison.model.stiffness / GPa
    limit = max(np.max(np.abs(stiffness)), 1e-12)
    image = matrix_ax.imshow(stiffness, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(stiffness):
        shown = value if abs(value) > 1e-6 * limit else 0.0  # numerical noise as 0
        matrix_ax.text(j, i, f"{shown:.3g}", ha="center", va="center", fontsize="x-small")
    labels = [f"{k}" for k in range(1, 7)]
    matrix_ax.set_xticks(range(6), labels)
    matrix_ax.set_yticks(range(6), labels)
    matrix_ax.set_title(f"C_ij (GPa), {comparison.model_label}")
    figure.colorbar(image, ax=matrix_ax, shrink=0.8)
    names = ["C11_GPa", "C12_GPa", "C44_GPa", "bulk_modulus_GPa", "shear_modulus_GPa"]
    grouped_bars(bars_ax, ["C11", "C12", "C44", "B", "G"], summary_series(comparison, names), "GPa")
    bars_ax.set_title("cubic constants and Voigt moduli")
    save(figure, path)
