"""mlearn JSON reader (Zuo et al. 2020 benchmark format) and the shipped Si example data."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from mlpot.data import DataError, mlearn_stress_to_ase, read_frames, read_mlearn

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "tests" / "fixtures" / "mlearn" / "si_records.json"
KBAR = 1e8 / 1.602176634e11  # 1 kbar in eV/Å^3


def test_stress_sign_order_and_unit_by_hand():
    # mlearn: xx yy zz xy yz zx in kbar, compressive positive
    stress = mlearn_stress_to_ase([10.0, 20.0, 30.0, 4.0, 5.0, 6.0])
    # ASE: xx yy zz yz xz xy in eV/Å^3, tensile positive
    np.testing.assert_allclose(stress, -KBAR * np.array([10, 20, 30, 5, 6, 4]), rtol=1e-6)
    assert stress[0] == pytest.approx(-6.2415e-3, rel=1e-4)


def test_reads_records():
    frames = read_mlearn(RECORDS)
    assert [len(f) for f in frames] == [63, 16, 12]
    assert [f.group for f in frames] == ["Vacancy", "Surface", "Surface"]
    first = frames[0]
    assert first.energy == -295.49753016
    np.testing.assert_allclose(first.forces[0], [-2.98187262, 0.6069187, 3.48143607])
    np.testing.assert_allclose(
        first.cell, [[14.22366, 5.591921, 15.557314], [0.0, 9.055935, 0.272179], [0, 0, 9.178194]]
    )
    np.testing.assert_allclose(
        first.positions[0], [0.29508405036, 9.033552194395998, 4.748539369736]
    )
    assert first.symbols[0] == "Si" and first.pbc.all()
    assert first.info == {
        "description": "Snapshot 1 of 32 of Vacancy AIMD NVT simulation at 300 K",
        "tag": "train",
    }
    assert first.source == f"{RECORDS}:0"


def test_stress_of_a_real_record():
    # virial_stress of record 0: xx yy zz xy yz zx =
    # -6.58094686 -9.63365488 -2.75897261 9.08682588 -1.60618898 -5.41948494 kbar
    stress = read_mlearn(RECORDS)[0].stress
    expected = -KBAR * np.array(
        [-6.58094686, -9.63365488, -2.75897261, -1.60618898, -5.41948494, 9.08682588]
    )
    np.testing.assert_allclose(stress, expected, rtol=1e-6)
    assert stress[5] == pytest.approx(-5.6716e-3, rel=1e-4)  # xy: 9.087 kbar compressive


def test_selection_and_detection_by_suffix():
    frames = read_frames(f"{RECORDS} 1:")
    assert [f.source for f in frames] == [f"{RECORDS}:1", f"{RECORDS}:2"]


def _write(tmp_path, records, name="data.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records))
    return path


@pytest.fixture
def record():
    return json.loads(RECORDS.read_text())[2]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda r: r.pop("outputs"), "not in mlearn form.*'outputs'"),
        (lambda r: r["outputs"].pop("energy"), "no energy"),
        (lambda r: r["outputs"].pop("forces"), "no forces"),
        (
            lambda r: r["outputs"]["forces"].pop(),
            r"forces have shape \(11, 3\), expected \(12, 3\)",
        ),
        (lambda r: r["outputs"]["forces"][3].pop(), "ragged or not numeric"),
        (lambda r: r["outputs"].update(virial_stress=[1, 2, 3]), r"virial_stress has shape \(3,\)"),
        (
            lambda r: r["outputs"]["forces"][4].__setitem__(1, float("nan")),
            r"forces contain nan \(atom 4\)",
        ),
        (lambda r: r["structure"]["sites"][0]["species"].append({"element": "Ge"}), "2 species"),
        (
            lambda r: r["structure"]["sites"][0]["species"][0].update(element="Xx"),
            "unknown element 'Xx'",
        ),
    ],
)
def test_bad_records_name_file_and_record(tmp_path, record, damage, message):
    bad = copy.deepcopy(record)
    damage(bad)
    path = _write(tmp_path, [record, bad])
    with pytest.raises(DataError, match=rf"data.json', frame 1: .*{message}"):
        read_frames(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[\n{"structure": \n')
    with pytest.raises(DataError, match=r"cut.json', line 3: not valid JSON"):
        read_frames(path)


def test_json_that_is_not_a_list(tmp_path):
    with pytest.raises(DataError, match="expected a JSON list"):
        read_frames(_write(tmp_path, {"structure": {}}))


@pytest.mark.parametrize(
    ("name", "n_frames", "n_atoms"), [("train", 214, 13233), ("test", 25, 1525)]
)
def test_shipped_si_example_sets(name, n_frames, n_atoms):
    frames = read_frames(ROOT / "examples" / "si" / f"{name}.xyz", elements=["Si"])
    assert (len(frames), sum(len(f) for f in frames)) == (n_frames, n_atoms)
    assert {f.group for f in frames} == {"AIMD-NVT", "Elastic", "Vacancy", "Surface"}
    assert all(f.stress is not None and f.pbc.all() for f in frames)


def test_shipped_si_training_set_matches_the_mlearn_records():
    shipped = read_frames(ROOT / "examples" / "si" / "train.xyz")
    by_label = {(f.info["description"], f.energy): f for f in shipped}
    for record in read_mlearn(RECORDS):
        twin = by_label[(record.info["description"], record.energy)]
        assert twin.group == record.group
        np.testing.assert_allclose(twin.positions, record.positions, atol=1e-8)
        np.testing.assert_allclose(twin.forces, record.forces, atol=1e-12)
        np.testing.assert_allclose(twin.stress, record.stress, atol=1e-12)
        np.testing.assert_allclose(twin.cell, record.cell)
