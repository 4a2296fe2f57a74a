"""The published n2p2 potential for Si (Zuo et al. 2020) read by mlpot: its published test-set
errors, and n2p2's internal order of the symmetry functions checked against scaling.data."""

from pathlib import Path

import numpy as np
import pytest

from mlpot.analysis.errors import error_report, predict_frames
from mlpot.calculators import MlpotCalculator
from mlpot.data import BOHR_HARTREE, read_frames, write_n2p2_data
from mlpot.descriptors.acsf import ACSF
from mlpot.interop.n2p2 import read_potential
from mlpot.neighbours.pairs import neighbour_pairs

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "n2p2_si"
SI_DATA = ROOT / "examples" / "si"
# training structures (0-based, train.xyz) holding the smallest or largest value of some
# function over the whole training set: their range is the range of all 214 structures
EXTREME_FRAMES = (4, 9, 18, 24, 60, 66, 68, 126, 130, 136, 139, 140, 142, 145)


@pytest.fixture(scope="module")
def si_model():
    return read_potential(FIXTURE, units=BOHR_HARTREE)


def test_reproduces_the_published_test_set_errors(si_model):
    frames = read_frames(SI_DATA / "test.xyz")
    assert len(frames) == 25 and sum(len(f) for f in frames) == 1525
    report = error_report(frames, predict_frames(MlpotCalculator(si_model), frames, stress=False))
    energy, forces = report.overall.energy, report.overall.forces
    # published: MAE 5.63 / RMSE 6.93 meV/atom, MAE 0.109 / RMSE 0.170 eV/Å
    assert energy.mae == pytest.approx(5.63, abs=0.005)
    assert energy.rmse == pytest.approx(6.93, abs=0.005)
    assert forces.mae == pytest.approx(0.109, abs=0.0005)
    assert forces.rmse == pytest.approx(0.170, abs=0.0005)


def test_scaling_data_is_the_descriptor_range_of_the_training_set(si_model):
    """Columns in n2p2's sorted order and parameters converted from Bohr: the range mlpot
    computes over the training structures is the min/max n2p2 wrote, function by function."""
    frames = read_frames(SI_DATA / "train.xyz")
    acsf = ACSF(si_model.sfset)
    rows = []
    for index in EXTREME_FRAMES:
        frame = frames[index]
        pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, acsf.cutoff)
        rows.append(acsf.compute(acsf.species(frame.numbers), pairs)[0])
    g = np.concatenate(rows)
    stats = si_model.metadata["n2p2"]["statistics"]["Si"]
    np.testing.assert_allclose(g.min(0), stats["min"], rtol=1e-5)
    np.testing.assert_allclose(g.max(0), stats["max"], rtol=1e-5)


def test_functions_follow_n2p2s_sort_order_not_the_line_order(si_model):
    functions = si_model.sfset.functions["Si"]
    assert [sf.n2p2_type for sf in functions] == [2] * 3 + [3] * 24
    # radial: by eta; angular: by eta, then zeta (1, 2, 4, 16; lines say 1, 16, 2, 4), lambda
    assert [round(sf.eta, 8) for sf in functions[:3]] == [0.03571065, 0.0714213, 0.17855324]
    first_eta = functions[3:11]
    assert [sf.zeta for sf in first_eta] == [1, 1, 2, 2, 4, 4, 16, 16]
    assert [sf.lambda_ for sf in first_eta] == [-1, 1] * 4
    assert {round(sf.cutoff, 6) for sf in functions} == {5.5}  # 10.3934937 Bohr


def test_energy_units_and_atom_energy(si_model):
    """atom_energy is in the file's energy unit (Hartree) like the network output."""
    assert float(si_model.energy_scale) == pytest.approx(27.211386, rel=1e-6)
    assert float(si_model.reference_energies[0]) == pytest.approx(-0.79 * 27.211386, rel=1e-6)


def test_input_data_in_atomic_units_gives_the_same_predictions(si_model, tmp_path):
    """The test structures through n2p2's input.data in Bohr and Hartree (with n2p2's
    'begin set=test' marks) come back with the same labels and predictions."""
    frames = read_frames(f"{SI_DATA / 'test.xyz'} 0:25:8")
    path = tmp_path / "input.data"
    write_n2p2_data(path, frames, units=BOHR_HARTREE)
    path.write_text(path.read_text().replace("begin\n", "begin set=test\n"))
    back = read_frames(path, units=BOHR_HARTREE)
    calc = MlpotCalculator(si_model)
    for frame, again in zip(frames, back, strict=True):
        assert again.energy == pytest.approx(frame.energy, rel=1e-14)
        np.testing.assert_allclose(again.forces, frame.forces, rtol=1e-13, atol=1e-13)
        atoms, atoms_back = frame.to_atoms(with_labels=False), again.to_atoms(with_labels=False)
        atoms.calc = atoms_back.calc = calc
        energy = atoms.get_potential_energy()
        assert atoms_back.get_potential_energy() == pytest.approx(energy, rel=1e-12)
