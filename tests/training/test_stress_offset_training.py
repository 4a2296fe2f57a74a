"""data.stress_offset: stress labels off by a constant pressure against the energies of
strained copies are trained on without it ("remove", the default) and recorded in run.json's
metadata, or as they are ("keep")."""

from __future__ import annotations

import ase.io
import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator
from ase.units import GPa

from mlpot.config import TrainConfig
from mlpot.training.run import prepare

PRESSURE_OFFSET = 3.0  # GPa: the labels too compressive by this


@pytest.fixture(scope="module")
def strained_file(tmp_path_factory):
    """16-atom Cu cells under volume and shear strains in 2 % steps, EMT energies and forces,
    stress labels PRESSURE_OFFSET too compressive."""
    images = []
    for mode in ("volume", "xy"):
        for strain in (-0.04, -0.02, 0.0, 0.02, 0.04):
            atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 1))
            lagrangian = strain * np.eye(3) / 3 if mode == "volume" else np.zeros((3, 3))
            if mode == "xy":
                lagrangian[0, 1] = lagrangian[1, 0] = strain
            atoms.set_cell(atoms.cell.array @ np.linalg.cholesky(np.eye(3) + 2 * lagrangian),
                           scale_atoms=True)
            atoms.calc = EMT()
            stress = atoms.get_stress() - PRESSURE_OFFSET * GPa * np.array([1, 1, 1, 0, 0, 0])
            atoms.calc = SinglePointCalculator(atoms, energy=atoms.get_potential_energy(),
                                               forces=atoms.get_forces(), stress=stress)
            images.append(atoms)
    path = tmp_path_factory.mktemp("strained") / "strained.xyz"
    ase.io.write(path, images)
    return path, images


def _prepare(tmp_path, path, mode):
    config = TrainConfig.model_validate({
        "output": str(tmp_path / mode),
        "descriptors": {"cutoff": 4.0, "n_radial": 4, "angular_shells": 0},
        "model": {"hidden": [4]},
        "data": {"train": [{"name": "strained", "files": [str(path)]}], "validation": 0.0,
                 "stress_offset": mode},
        "training": {"epochs": 1},
    })
    return prepare(config, progress=False)


def test_offset_removed_for_training_and_recorded(strained_file, tmp_path, capsys):
    path, images = strained_file
    run = _prepare(tmp_path, path, "remove")
    record = run.metadata["stress_offsets"]["data"]
    assert record["removed"] and record["pairs"] >= 8
    assert record["stress_gpa"] == pytest.approx(-PRESSURE_OFFSET, abs=0.1)
    assert "disagree with its energies by an isotropic -3.0" in capsys.readouterr().err
    for atoms, prepared in zip(images, run.train_set, strict=True):
        change = (prepared.stress.numpy() - atoms.get_stress()) / GPa
        np.testing.assert_allclose(change, [-record["stress_gpa"]] * 3 + [0.0] * 3, atol=1e-9)


def test_keep_trains_on_the_labels_as_they_are(strained_file, tmp_path):
    path, images = strained_file
    run = _prepare(tmp_path, path, "keep")
    assert "stress_offsets" not in run.metadata
    for atoms, prepared in zip(images, run.train_set, strict=True):
        np.testing.assert_allclose(prepared.stress.numpy(), atoms.get_stress(), atol=1e-12)
