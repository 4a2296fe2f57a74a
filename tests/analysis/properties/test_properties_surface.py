"""Surface energies with EMT: unit conversion, orientation order, slab convergence."""

import pytest
from ase.build import bulk, fcc111
from ase.calculators.emt import EMT

from mlpot.analysis.properties.eos import equation_of_state
from mlpot.analysis.properties.surface import (
    J_PER_M2_PER_EV_PER_A2,
    miller_label,
    surface_energy,
)
from mlpot.errors import MlpotError


def equilibrium(element):
    volume = equation_of_state(bulk(element, "fcc", cubic=True), EMT()).volume
    return bulk(element, "fcc", a=(4 * volume) ** (1 / 3), cubic=True)


def test_unit_conversion():
    assert J_PER_M2_PER_EV_PER_A2 == pytest.approx(16.0217663, rel=1e-8)
    result = surface_energy(equilibrium("Cu"), EMT(), (1, 0, 0), layers=4)
    summary = result.summary()
    assert summary["surface_energy_J_m2"] == pytest.approx(
        summary["surface_energy_eV_A2"] * 16.0217663
    )
    assert result.area == pytest.approx(equilibrium("Cu").cell[0, 0] ** 2)


@pytest.mark.parametrize("element", ["Cu", "Ni", "Al"])
def test_close_packed_surface_is_lowest(element):
    atoms = equilibrium(element)
    gamma = {
        m: surface_energy(atoms, EMT(), m, layers=5).summary()["surface_energy_J_m2"]
        for m in ((1, 1, 1), (1, 0, 0), (1, 1, 0))
    }
    assert 0 < gamma[(1, 1, 1)] < gamma[(1, 0, 0)] < gamma[(1, 1, 0)]


def test_agrees_with_an_independently_built_slab_and_converges():
    atoms = equilibrium("Cu")
    a = atoms.cell[0, 0]
    result = surface_energy(atoms, EMT(), (1, 1, 1), layers=6)
    slab = fcc111("Cu", size=(1, 1, 6), a=a, vacuum=10.0, periodic=True)
    slab.calc = atoms.calc = EMT()
    area = 3**0.5 / 4 * a**2  # the (111) cell of a primitive surface lattice vector a/sqrt(2)
    bulk_per_atom = atoms.get_potential_energy() / len(atoms)
    expected = (slab.get_potential_energy() - 6 * bulk_per_atom) / (2 * area)
    assert result.summary()["surface_energy_eV_A2"] == pytest.approx(expected, rel=1e-6)
    thicker = surface_energy(atoms, EMT(), (1, 1, 1), layers=9)
    assert thicker.summary()["surface_energy_J_m2"] == pytest.approx(
        result.summary()["surface_energy_J_m2"], rel=0.01
    )


def test_relaxation_lowers_an_open_surface():
    result = surface_energy(equilibrium("Cu"), EMT(), (1, 1, 0), layers=5, relax_ions=True)
    summary = result.summary()
    assert summary["surface_energy_J_m2"] < summary["unrelaxed_surface_energy_J_m2"]
    assert result.relaxation.converged and not result.warnings()


def test_labels_and_errors():
    assert miller_label((1, -1, 0)) == "1-10"
    with pytest.raises(MlpotError, match="non-zero Miller indices"):
        surface_energy(equilibrium("Cu"), EMT(), (0, 0, 0))
