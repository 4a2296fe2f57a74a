"""Error metrics against hand-computed numbers, and predict_frames with EMT."""

import json

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.units import GPa

from mlpot.analysis.errors import Predictions, error_report, paired_values, predict_frames
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError


def _frame(n_atoms, energy, forces, stress=None, group="default", periodic=True, source=""):
    return Frame(
        numbers=np.full(n_atoms, 29),
        positions=np.arange(3 * n_atoms, dtype=float).reshape(n_atoms, 3) * 2.0,
        cell=np.eye(3) * 10.0 if periodic else np.zeros((3, 3)),
        pbc=np.array([periodic] * 3),
        energy=energy,
        forces=np.asarray(forces, dtype=float),
        stress=None if stress is None else np.asarray(stress, dtype=float),
        group=group,
        source=source,
    )


@pytest.fixture
def tiny():
    """Two frames in two groups with hand-chosen prediction errors."""
    frames = [
        _frame(2, -2.0, np.zeros((2, 3)), stress=np.array([1, 2, 3, 0, 0, 0]) * GPa, group="a"),
        _frame(1, -1.0, [[1.0, 1.0, 1.0]], group="b", periodic=False),
    ]
    predictions = Predictions(
        energy=np.array([-1.99, -1.02]),
        forces=[np.array([[0.1, 0.0, 0.0], [0.0, -0.2, 0.0]]), np.array([[1.0, 1.0, 1.3]])],
        stress=[np.array([1.5, 2, 3, 0, 0, -1]) * GPa, None],
    )
    return frames, predictions


def test_overall_metrics_match_hand_computed(tiny):
    report = error_report(*tiny)
    # energy per atom errors: +0.01/2 eV = 5 meV/atom, -0.02/1 eV = -20 meV/atom
    assert report.overall.energy.mae == pytest.approx(12.5)
    assert report.overall.energy.rmse == pytest.approx(np.sqrt((25 + 400) / 2))
    assert report.overall.energy.count == 2
    assert report.overall.energy.unit == "meV/atom"
    # force components: |0.1|, |0.2|, |0.3| and six zeros
    assert report.overall.forces.mae == pytest.approx(0.6 / 9)
    assert report.overall.forces.rmse == pytest.approx(np.sqrt(0.14 / 9))
    assert report.overall.forces.count == 9
    # stress components in GPa: 0.5 and 1.0, four zeros; frame b has no stress
    assert report.overall.stress.mae == pytest.approx(0.25)
    assert report.overall.stress.rmse == pytest.approx(np.sqrt(1.25 / 6))
    assert report.overall.stress.count == 6
    assert report.overall.n_frames == 2


def test_per_group_metrics(tiny):
    groups = error_report(*tiny).groups
    assert list(groups) == ["a", "b"]
    assert groups["a"].energy.mae == pytest.approx(5.0)
    assert groups["a"].forces.mae == pytest.approx(0.3 / 6)
    assert groups["a"].forces.rmse == pytest.approx(np.sqrt(0.05 / 6))
    assert groups["a"].stress.count == 6
    assert groups["b"].energy.rmse == pytest.approx(20.0)
    assert groups["b"].forces.mae == pytest.approx(0.1)
    assert groups["b"].forces.rmse == pytest.approx(np.sqrt(0.09 / 3))
    assert groups["b"].stress is None
    assert groups["a"].n_frames == groups["b"].n_frames == 1


def test_stress_reported_in_gpa():
    # 0.01 eV/Å^3 is 1.6021766 GPa
    frame = _frame(1, 0.0, np.zeros((1, 3)), stress=np.zeros(6))
    predictions = Predictions(np.zeros(1), [np.zeros((1, 3))], [np.full(6, 0.01)])
    report = error_report([frame], predictions)
    assert report.overall.stress.mae == pytest.approx(1.6021766, rel=1e-6)
    pairs = paired_values([frame], predictions)
    assert pairs["stress"].pred == pytest.approx(np.full(6, 1.6021766), rel=1e-6)
    assert pairs["energy"].group.tolist() == ["default"]


def test_frames_without_forces_are_left_out_of_force_errors():
    frames = [_frame(1, 0.0, np.zeros((1, 3))), _frame(1, 0.0, np.zeros((1, 3)))]
    frames[1].forces = None
    predictions = Predictions(np.zeros(2), [np.full((1, 3), 0.5), np.full((1, 3), 9.0)], [None] * 2)
    report = error_report(frames, predictions)
    assert report.overall.forces.count == 3
    assert report.overall.forces.mae == pytest.approx(0.5)
    assert report.overall.stress is None


def test_report_to_dict_is_json_and_table_is_readable(tiny):
    report = error_report(*tiny)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["overall"]["energy"]["mae"] == pytest.approx(12.5)
    assert data["groups"]["b"]["stress"] is None
    assert data["groups"]["a"]["forces"]["unit"] == "eV/Å"
    table = report.table()
    lines = table.splitlines()
    assert len(lines) == 2 + 3 * 3  # header, rule, three quantities for all, a, b
    assert "meV/atom" in table and "GPa" in table
    row = next(line for line in lines if line.startswith("all frames") and "energy" in line)
    assert row.split()[-2:] == ["12.5", f"{np.sqrt(212.5):.4g}"]


def test_mismatched_predictions_are_rejected(tiny):
    frames, predictions = tiny
    with pytest.raises(MlpotError, match="2 frames but 1 predictions"):
        error_report(frames, Predictions(predictions.energy[:1], predictions.forces[:1], [None]))
    frames[0].source = "a.xyz:3"
    swapped = Predictions(predictions.energy, predictions.forces[::-1], predictions.stress)
    with pytest.raises(MlpotError, match="'a.xyz', frame 3"):
        error_report(frames, swapped)


def _emt_frames():
    """Rattled Cu cells labelled with EMT, energies shifted by +2 meV/atom, and a molecule."""
    frames = []
    for i, repeat in enumerate([(1, 1, 1), (2, 1, 1)]):
        atoms = bulk("Cu", "fcc", a=3.62, cubic=True).repeat(repeat)
        atoms.rattle(0.05, seed=i)
        atoms.calc = EMT()
        frames.append(Frame(
            atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc,
            energy=atoms.get_potential_energy() + 0.002 * len(atoms),
            forces=atoms.get_forces() + 0.01, stress=atoms.get_stress(), group=f"g{i}",
        ))
    dimer = Frame(np.array([29, 29]), np.array([[0, 0, 0], [0, 0, 2.4]]), np.zeros((3, 3)),
                  np.zeros(3, bool), energy=0.0, forces=np.zeros((2, 3)), stress=np.zeros(6))
    return frames + [dimer]


def test_predict_frames_runs_the_calculator_not_the_labels():
    frames = _emt_frames()
    predictions = predict_frames(EMT(), frames)
    assert len(predictions) == 3
    labelled = zip(frames[:2], predictions.energy[:2], predictions.forces[:2], strict=True)
    for frame, energy, forces in labelled:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = EMT()
        assert energy == pytest.approx(atoms.get_potential_energy())
        assert forces == pytest.approx(atoms.get_forces())
    assert predictions.stress[0] is not None and predictions.stress[2] is None  # not periodic
    report = error_report(frames[:2], Predictions(
        predictions.energy[:2], predictions.forces[:2], predictions.stress[:2]))
    assert report.overall.energy.mae == pytest.approx(2.0)
    assert report.overall.forces.mae == pytest.approx(0.01)
    assert report.overall.stress.mae == pytest.approx(0.0, abs=1e-9)


def test_predict_frames_without_stress():
    predictions = predict_frames(EMT(), _emt_frames(), stress=False)
    assert predictions.stress == [None, None, None]
