"""g(r): normalisation on an ideal gas, crystal shells, ASE's get_rdf, partial pairs."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule
from ase.geometry.rdf import get_rdf

from mlpot.analysis.properties.rdf import radial_distribution, rms_difference
from mlpot.errors import MlpotError


def test_ideal_gas_has_g_of_one():
    rng = np.random.default_rng(0)
    frames = [
        Atoms("Ar400", positions=rng.uniform(0, 15, (400, 3)), cell=[15, 15, 15], pbc=True)
        for _ in range(5)
    ]
    result = radial_distribution(frames, rmax=7.0, bins=35)
    assert result.density == pytest.approx(400 / 15**3)
    assert np.mean(result.g[5:]) == pytest.approx(1.0, abs=0.02)
    assert np.abs(result.g[10:] - 1).max() < 0.15


def test_crystal_shell_positions_and_coordination():
    a = 3.6
    frames = []
    for seed in range(3):
        atoms = bulk("Cu", "fcc", a=a, cubic=True).repeat(3)
        atoms.rattle(0.05, seed=seed)
        frames.append(atoms)
    result = radial_distribution(frames, rmax=6.0, bins=120)
    summary = result.summary()
    assert summary["peak_position_A"] == pytest.approx(a / np.sqrt(2), abs=0.05)
    assert a / np.sqrt(2) < summary["first_minimum_A"] < a
    assert summary["coordination_number"] == pytest.approx(12.0, abs=0.05)
    # the shells up to 6 Å: a/sqrt(2), a, a sqrt(3/2), a sqrt(2), a sqrt(5/2)
    assert result.coordination(6.0) == pytest.approx(12 + 6 + 24 + 12 + 24, abs=0.05)


def test_matches_ase_get_rdf():
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(4)
    atoms.rattle(0.1, seed=3)
    ours = radial_distribution([atoms], rmax=5.0, bins=50)
    g, r = get_rdf(atoms, 5.0, 50)
    assert ours.r == pytest.approx(r)
    assert ours.g == pytest.approx(g, rel=1e-10, abs=1e-12)


def test_partial_distribution_of_an_ordered_alloy():
    a = 3.57
    atoms = Atoms(
        "AlNi3",
        scaled_positions=[(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)],
        cell=a * np.eye(3),
        pbc=True,
    )
    atoms = atoms.repeat(3)
    al_ni = radial_distribution([atoms], rmax=4.0, bins=80, pair=("Al", "Ni"))
    al_al = radial_distribution([atoms], rmax=4.0, bins=80, pair=("Al", "Al"))
    assert al_ni.coordination(3.0) == pytest.approx(12.0)  # 12 Ni around each Al
    assert al_al.coordination(3.0) == 0.0
    assert al_al.peak()[0] == pytest.approx(a, abs=0.05)  # Al's nearest Al is a away
    assert al_ni.to_dict()["pair"] == ["Al", "Ni"]


def test_rms_difference():
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(3)
    first = radial_distribution([atoms], rmax=5.0, bins=50)
    assert rms_difference(first, first) == 0.0
    atoms.rattle(0.1, seed=1)
    assert rms_difference(first, radial_distribution([atoms], rmax=5.0, bins=50)) > 0.1
    with pytest.raises(MlpotError, match="different bins"):
        rms_difference(first, radial_distribution([atoms], rmax=5.0, bins=40))


def test_errors():
    with pytest.raises(MlpotError, match="traj.xyz: frame 1 is not periodic"):
        radial_distribution([bulk("Cu"), molecule("H2O")], source="traj.xyz")
    with pytest.raises(MlpotError, match="frame 0 has no Ni atoms"):
        radial_distribution([bulk("Cu")], pair=("Cu", "Ni"))
    with pytest.raises(MlpotError, match="unknown element 'Xx'"):
        radial_distribution([bulk("Cu")], pair=("Cu", "Xx"))
    with pytest.raises(MlpotError, match="rmax > 0"):
        radial_distribution([bulk("Cu")], rmax=-1.0)
