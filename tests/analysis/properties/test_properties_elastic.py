"""Elastic constants with EMT: cubic symmetry, B against the EOS, tensor rotation, hcp."""

from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.units import GPa

from mlpot.analysis.properties.check import run_comparison
from mlpot.analysis.properties.elastic import elastic_constants
from mlpot.analysis.properties.eos import equation_of_state
from mlpot.analysis.properties.reference import load_reference
from mlpot.errors import MlpotError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "properties"


def equilibrium(element: str, cubic: bool = True):
    volume = equation_of_state(bulk(element, "fcc", cubic=True), EMT()).volume
    return bulk(element, "fcc", a=(4 * volume) ** (1 / 3), cubic=cubic)


@pytest.mark.parametrize("element", ["Cu", "Al", "Ni"])
def test_cubic_symmetry_and_bulk_modulus_of_the_eos(element):
    atoms = equilibrium(element)
    c = elastic_constants(atoms, EMT()).stiffness
    assert c[0, 0] == pytest.approx(c[1, 1], rel=1e-6) == pytest.approx(c[2, 2], rel=1e-6)
    assert c[0, 1] == pytest.approx(c[0, 2], rel=1e-6) == pytest.approx(c[1, 2], rel=1e-6)
    assert c[3, 3] == pytest.approx(c[4, 4], rel=1e-6) == pytest.approx(c[5, 5], rel=1e-6)
    assert np.abs(c - c.T).max() < 1e-6 * c[0, 0]
    assert (
        np.abs(c[:3, 3:]).max() < 1e-6 * c[0, 0]
        and np.abs(c[3:, 3:] - np.diag(np.diag(c[3:, 3:]))).max() < 1e-6 * c[0, 0]
    )
    assert c[0, 0] > c[0, 1] > 0 and c[3, 3] > 0  # mechanically stable
    eos = equation_of_state(atoms, EMT(), max_strain=0.01)  # B' of EMT Al is far from BM's
    assert (c[0, 0] + 2 * c[0, 1]) / 3 == pytest.approx(eos.bulk_modulus, rel=0.02)


def test_rotated_crystal_transforms_as_a_tensor():
    """45 degrees about z: C'11 = (C11 + C12)/2 + C44, C'12 = (C11 + C12)/2 - C44,
    C'66 = (C11 - C12)/2, which holds only with engineering shear strains (with tensor shear
    strains C44 and C66 would come out doubled)."""
    atoms = equilibrium("Cu")
    cubic = elastic_constants(atoms, EMT(), strain=0.002).cubic()
    rotated = atoms.copy()
    rotated.rotate(45, "z", rotate_cell=True)
    c = elastic_constants(rotated, EMT(), strain=0.002).stiffness
    mean = (cubic["C11"] + cubic["C12"]) / 2
    assert c[0, 0] == pytest.approx(mean + cubic["C44"], rel=1e-4)
    assert c[0, 1] == pytest.approx(mean - cubic["C44"], rel=1e-4)
    assert c[5, 5] == pytest.approx((cubic["C11"] - cubic["C12"]) / 2, rel=1e-4)
    assert c[2, 2] == pytest.approx(cubic["C11"], rel=1e-4)


def test_primitive_and_conventional_cells_agree():
    conventional = elastic_constants(equilibrium("Ni"), EMT()).summary()
    primitive = elastic_constants(equilibrium("Ni", cubic=False), EMT()).summary()
    for name, value in conventional.items():
        assert primitive[name] == pytest.approx(value, rel=1e-5)


def test_relaxed_ions_soften_hcp_as_hexagonal_symmetry_requires():
    atoms = bulk("Cu", "hcp", a=2.55, c=2.55 * 1.633)
    unrelaxed = elastic_constants(atoms, EMT()).stiffness
    relaxed = elastic_constants(atoms, EMT(), relax_ions=True, fmax=1e-4).stiffness
    for c in (unrelaxed, relaxed):
        assert c[5, 5] == pytest.approx((c[0, 0] - c[0, 1]) / 2, rel=0.01)
    assert relaxed[5, 5] < 0.9 * unrelaxed[5, 5]
    assert relaxed[2, 2] == pytest.approx(unrelaxed[2, 2], rel=1e-3)  # no internal strain


def test_residual_stress_is_reported():
    squeezed = elastic_constants(bulk("Cu", "fcc", a=3.45, cubic=True), EMT())
    assert any("GPa stress" in note for note in squeezed.warnings())
    assert np.all(squeezed.residual_stress[:3] / GPa < -0.5)  # compressed: negative in ASE
    assert not elastic_constants(equilibrium("Cu"), EMT()).warnings()


def test_against_measured_copper():
    reference = load_reference(str(FIXTURES / "cu_experiment.yaml"))
    comparison = run_comparison(
        "elastic", lambda calc: elastic_constants(equilibrium("Cu"), calc), EMT(), "emt", reference
    )
    differences = comparison.differences()
    summary = comparison.model.summary()
    assert set(differences) == {"C11_GPa", "C12_GPa", "C44_GPa"}
    assert differences["C44_GPa"]["difference"] == pytest.approx(summary["C44_GPa"] - 75.4)
    assert abs(differences["C11_GPa"]["relative"]) < 0.1  # EMT was fitted to copper


def test_errors():
    with pytest.raises(MlpotError, match="strain must be in"):
        elastic_constants(bulk("Cu"), EMT(), strain=0.5)
    slab = bulk("Cu", cubic=True)
    slab.pbc = (True, True, False)
    with pytest.raises(MlpotError, match="periodic along three"):
        elastic_constants(slab, EMT())
