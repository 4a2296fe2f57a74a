"""Vacancy formation energy with EMT: definition, relaxation, supercell convergence."""

import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.analysis.properties.vacancy import vacancy_formation_energy
from mlpot.errors import MlpotError


def test_definition_and_relaxation():
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    result = vacancy_formation_energy(atoms, EMT(), supercell=(2, 2, 2), index=5)
    perfect = atoms.repeat((2, 2, 2))
    perfect.calc = EMT()
    defect = perfect.copy()
    del defect[5]
    defect.calc = EMT()
    expected = defect.get_potential_energy() - 31 / 32 * perfect.get_potential_energy()
    summary = result.summary()
    assert summary["unrelaxed_formation_energy_eV"] == pytest.approx(expected, abs=1e-10)
    assert 0 < summary["formation_energy_eV"] < summary["unrelaxed_formation_energy_eV"]
    assert result.relaxation.converged and result.relaxation.steps > 0
    assert result.to_dict()["relaxation"]["energies_eV"][-1] == pytest.approx(result.relaxed_energy)
    assert len(atoms) == 4  # the input is not modified


@pytest.mark.parametrize("element", ["Cu", "Ni"])
def test_converges_with_supercell_size(element):
    atoms = bulk(element, "fcc")
    energies = [
        vacancy_formation_energy(atoms, EMT(), supercell=(n, n, n), fmax=0.02).summary()[
            "formation_energy_eV"
        ]
        for n in (3, 4)
    ]
    assert all(energy > 0.5 for energy in energies)
    assert energies[1] == pytest.approx(energies[0], abs=0.03)


def test_relaxed_cell_lowers_the_energy_further():
    atoms = bulk("Cu", "fcc", a=3.6)
    fixed = vacancy_formation_energy(atoms, EMT(), supercell=(2, 2, 2))
    free = vacancy_formation_energy(atoms, EMT(), supercell=(2, 2, 2), relax_cell=True)
    assert free.summary()["formation_energy_eV"] < fixed.summary()["formation_energy_eV"]
    unrelaxed = vacancy_formation_energy(atoms, EMT(), supercell=(2, 2, 2), relax_ions=False)
    assert unrelaxed.relaxation is None
    assert unrelaxed.relaxed_energy == unrelaxed.unrelaxed_energy


def test_errors():
    alloy = bulk("Cu", "fcc", a=3.6, cubic=True)
    alloy.symbols[0] = "Ni"
    with pytest.raises(MlpotError, match="needs a structure of one element; this one has Cu, Ni"):
        vacancy_formation_energy(alloy, EMT())
    with pytest.raises(MlpotError, match="cannot remove atom 40"):
        vacancy_formation_energy(bulk("Cu", cubic=True), EMT(), supercell=(2, 2, 2), index=40)
