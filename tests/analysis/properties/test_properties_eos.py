"""Equation of state with EMT: the fit against ASE's own and against E''(V)."""

import numpy as np
import pytest
from ase.build import bulk, molecule
from ase.calculators.emt import EMT
from ase.eos import EquationOfState
from ase.units import GPa

from mlpot.analysis.properties.eos import equation_of_state
from mlpot.errors import MlpotError


@pytest.mark.parametrize("element", ["Cu", "Al", "Ni"])
def test_bulk_modulus_agrees_with_ase_eos_and_curvature(element):
    result = equation_of_state(bulk(element, "fcc", cubic=True), EMT(), points=9)
    # ASE's own recipe: primitive cell, 7 points and its default SJ (not Birch-Murnaghan) fit
    atoms, volumes, energies = bulk(element, "fcc"), [], []
    cell = atoms.cell.copy()
    for x in np.linspace(0.97, 1.03, 7):
        atoms.set_cell(cell * x, scale_atoms=True)
        atoms.calc = EMT()
        volumes.append(atoms.get_volume())
        energies.append(atoms.get_potential_energy())
    v0, e0, b0 = EquationOfState(volumes, energies).fit()
    assert result.volume == pytest.approx(v0, rel=2e-3)
    assert result.energy == pytest.approx(e0, abs=2e-3)
    assert result.bulk_modulus == pytest.approx(b0, rel=0.02)
    assert result.summary()["bulk_modulus_GPa"] == pytest.approx(b0 / GPa, rel=0.02)
    # B = V d2E/dV2 at V0, by finite differences of the energy per atom
    h = 0.02 * result.volume
    atom = bulk(element, "fcc", a=(4 * result.volume) ** (1 / 3), cubic=True)
    curvature = [
        _energy_per_atom(atom, (result.volume + dv) / result.volume) for dv in (-h, 0.0, h)
    ]
    second = (curvature[0] - 2 * curvature[1] + curvature[2]) / h**2
    assert result.bulk_modulus == pytest.approx(result.volume * second, rel=0.03)


def _energy_per_atom(atoms, volume_ratio):
    scaled = atoms.copy()
    scaled.set_cell(atoms.cell * volume_ratio ** (1 / 3), scale_atoms=True)
    scaled.calc = EMT()
    return scaled.get_potential_energy() / len(scaled)


def test_gpa_conversion():
    assert 1 / GPa == pytest.approx(160.21766, rel=1e-6)  # 1 eV/Å^3 in GPa
    result = equation_of_state(bulk("Cu", "fcc", cubic=True), EMT())
    assert result.summary()["bulk_modulus_GPa"] == pytest.approx(result.bulk_modulus * 160.21766)


def test_fitted_minimum_is_at_zero_pressure():
    result = equation_of_state(bulk("Cu", "fcc", cubic=True), EMT())
    atoms = bulk("Cu", "fcc", a=(4 * result.volume) ** (1 / 3), cubic=True)
    atoms.calc = EMT()
    assert np.abs(atoms.get_stress()[:3]).max() / GPa < 0.1
    assert result.fitted(np.array([result.volume]))[0] == pytest.approx(result.energy)


def test_relaxing_ions_removes_a_rattle():
    perfect = equation_of_state(bulk("Cu", "fcc", a=3.6, cubic=True), EMT())
    rattled = bulk("Cu", "fcc", a=3.6, cubic=True)
    rattled.rattle(0.05, seed=1)
    stiff = equation_of_state(rattled, EMT(), points=5)
    relaxed = equation_of_state(rattled, EMT(), points=5, relax_ions=True, fmax=0.005)
    assert stiff.energy > perfect.energy + 1e-3
    assert relaxed.energy == pytest.approx(perfect.energy, abs=2e-5)
    assert not relaxed.warnings()


def test_errors():
    with pytest.raises(MlpotError, match="periodic along three cell vectors"):
        equation_of_state(molecule("H2O"), EMT())
    with pytest.raises(MlpotError, match="is not inside the sampled volumes"):
        equation_of_state(bulk("Cu", "fcc", a=3.2, cubic=True), EMT(), max_strain=0.02)
    with pytest.raises(MlpotError, match="at least 5 points"):
        equation_of_state(bulk("Cu", "fcc"), EMT(), points=3)
