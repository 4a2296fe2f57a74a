"""benchmarks/bcc_standin.py: its records read back through mlpot's mlearn reader with ASE's
stress convention, and every oracle's labels are consistent (forces and stress against finite
differences of the energy, a compressed cell under positive mlearn virial_stress)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.units import GPa

from mlpot.data import read_mlearn

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bcc_standin.py"


def _standin():
    spec = importlib.util.spec_from_file_location("bcc_standin", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def standin():
    return _standin()


@pytest.fixture(scope="module", params=["w-snap", "nb-uf3"])
def lammps_standin(standin, request):
    """The module and one of its oracles, where LAMMPS and the oracle's files are here."""
    oracle = standin.ORACLES[request.param]
    try:
        standin.potential_files(oracle)
        standin._command(1)
    except RuntimeError as err:
        pytest.skip(f"LAMMPS with the {request.param} files is not available: {err}")
    return standin, oracle


def _read_back(standin, entries, tmp_path: Path, with_stress: bool = True):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([standin.record(e, with_stress) for e in entries]))
    return read_mlearn(path)


def _entry(standin, atoms, energy=-1.0, forces=None, virial_stress=None):
    return standin.Entry(
        standin.lammps_frame(atoms), "Elastic", "test cell", "train", energy,
        np.zeros((len(atoms), 3)) if forces is None else forces,
        np.arange(1.0, 7.0) if virial_stress is None else virial_stress,
    )


def test_records_read_back_with_ase_stress_and_without_stress(standin, tmp_path):
    atoms = standin.bcc_cell(3.18, 1)
    atoms.rattle(0.05, seed=1)
    forces = np.arange(6.0).reshape(2, 3)
    entry = _entry(standin, atoms, -22.0, forces, np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    (frame,) = _read_back(standin, [entry], tmp_path)
    np.testing.assert_allclose(frame.positions, entry.atoms.positions)
    np.testing.assert_allclose(frame.cell, entry.atoms.cell.array)
    np.testing.assert_allclose(frame.forces, forces)
    assert frame.energy == -22.0 and frame.group == "Elastic"
    # kbar xx yy zz xy yz zx, compressive positive -> eV/Å^3 xx yy zz yz xz xy, tensile positive
    np.testing.assert_allclose(frame.stress, -0.1 * GPa * np.array([1, 2, 3, 5, 6, 4.0]))
    (frame,) = _read_back(standin, [entry], tmp_path, with_stress=False)
    assert frame.stress is None


def test_labels_match_finite_differences(lammps_standin, tmp_path):
    standin, oracle = lammps_standin
    a0 = oracle.a0_bracket[0]
    base = standin.bcc_cell(a0, 2, oracle.element)
    base.rattle(0.05, seed=3)
    step, strain = 1e-3, 1e-4
    displaced = []
    for axis in range(3):
        for sign in (1, -1):
            atoms = base.copy()
            atoms.positions[5, axis] += sign * step
            displaced.append(atoms)
    strained = []
    for i, j in ((0, 0), (2, 2), (0, 1), (1, 2)):
        for sign in (1, -1):
            epsilon = np.zeros((3, 3))
            epsilon[i, j] = epsilon[j, i] = sign * strain
            atoms = base.copy()
            atoms.set_cell(base.cell.array @ (np.eye(3) + epsilon), scale_atoms=True)
            strained.append(atoms)
    compressed = standin.bcc_cell(0.97 * a0, 2, oracle.element)
    structures = [base, *displaced, *strained, compressed]
    labels = standin.label([standin.lammps_frame(a) for a in structures], oracle)
    energies = np.array([energy for energy, _, _ in labels])

    forces = labels[0][1]
    fd_force = -(energies[1:7:2] - energies[2:7:2]) / (2 * step)
    np.testing.assert_allclose(forces[5], fd_force, atol=2e-4)

    entry = _entry(standin, base, labels[0][0], forces, labels[0][2])
    (frame,) = _read_back(standin, [entry], tmp_path)
    fd_stress = (energies[7:15:2] - energies[8:15:2]) / (2 * strain) / base.get_volume()
    voigt = [0, 2, 5, 3]  # xx zz xy yz
    # an off-diagonal strain of epsilon changes the energy by 2 sigma_ij epsilon V
    fd_stress = fd_stress / np.array([1, 1, 2, 2])
    np.testing.assert_allclose(frame.stress[voigt], fd_stress, rtol=1e-4, atol=1e-6)

    compressed_stress = labels[-1][2]
    assert np.all(compressed_stress[:3] > 100.0)  # kbar, compressive positive
    assert np.abs(labels[-1][1]).max() < 1e-8  # a perfect lattice feels no forces
