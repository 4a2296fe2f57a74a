"""n2p2 input.data: reading, unit conversion at the edge, writing, syntax errors."""

from pathlib import Path

import numpy as np
import pytest

from mlpot.data import (
    BOHR_HARTREE,
    DataError,
    FileUnits,
    read_frames,
    read_n2p2_data,
    write_n2p2_data,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "n2p2" / "input.data"
BOHR = 0.52917721  # Å
HARTREE = 27.2113862  # eV


def test_bohr_hartree_file_is_converted_to_angstrom_ev():
    periodic, molecule = read_frames(FIXTURE, units=BOHR_HARTREE)
    np.testing.assert_allclose(periodic.cell, 10.0 * BOHR * np.eye(3), rtol=1e-7)
    np.testing.assert_allclose(periodic.positions[1], [2.5 * BOHR] * 3, rtol=1e-7)
    assert periodic.energy == pytest.approx(-1.0 * HARTREE, rel=1e-7)
    # 0.01 Ha/Bohr = 0.514221 eV/Å
    np.testing.assert_allclose(periodic.forces[0], np.array([0.01, -0.02, 0.03]) * HARTREE / BOHR)
    assert periodic.forces[0, 0] == pytest.approx(0.514221, rel=1e-5)
    assert periodic.pbc.all() and periodic.stress is None
    assert periodic.info == {"comment": "Si2 cell in atomic units", "charge": 0.0}
    assert molecule.symbols == ["O", "H", "H"]
    assert not molecule.pbc.any()
    np.testing.assert_array_equal(molecule.cell, np.zeros((3, 3)))
    assert molecule.energy == pytest.approx(-76.4 * HARTREE, rel=1e-7)


def test_default_units_are_angstrom_ev():
    periodic = read_frames(FIXTURE)[0]
    assert periodic.cell[0, 0] == 10.0 and periodic.energy == -1.0
    assert periodic.forces[1, 2] == -0.03


def test_begin_inside_a_comment_is_text(tmp_path):
    text = FIXTURE.read_text().replace("Si2 cell in atomic units", "run from the beginning")
    (tmp_path / "input.data").write_text(text)
    periodic, molecule = read_n2p2_data(tmp_path / "input.data")
    assert periodic.info["comment"] == "run from the beginning"
    assert len(periodic.numbers) == 2 and molecule.symbols == ["O", "H", "H"]


def test_selection_and_sources():
    frames = read_frames(f"{FIXTURE} -1")
    assert [f.source for f in frames] == [f"{FIXTURE}:1"]


@pytest.mark.parametrize("units", [FileUnits(), BOHR_HARTREE])
def test_round_trip(tmp_path, units):
    frames = read_n2p2_data(FIXTURE, units=units)
    frames[0].info["charge"] = -1.0
    write_n2p2_data(tmp_path / "input.data", frames, units=units)
    back = read_n2p2_data(tmp_path / "input.data", units=units)
    assert len(back) == len(frames)
    for a, b in zip(frames, back, strict=True):
        np.testing.assert_array_equal(a.numbers, b.numbers)
        np.testing.assert_allclose(b.positions, a.positions, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(b.cell, a.cell, rtol=1e-14)
        np.testing.assert_allclose(b.forces, a.forces, rtol=1e-14, atol=1e-14)
        assert b.energy == pytest.approx(a.energy, rel=1e-14)
        np.testing.assert_array_equal(a.pbc, b.pbc)
        assert b.info == a.info
    if units == BOHR_HARTREE:  # the file written is in the file's units again
        assert "lattice 1.0000000000000000e+01" in (tmp_path / "input.data").read_text()


def test_writes_extxyz_frames_with_stress_dropped(tmp_path):
    fixtures = FIXTURE.parents[1]
    frames = read_frames("extxyz/si2_steps.xyz", base_dir=fixtures)
    write_n2p2_data(tmp_path / "input.data", frames)
    back = read_frames(tmp_path / "input.data")
    assert [f.energy for f in back] == pytest.approx([f.energy for f in frames])
    assert back[0].info["comment"] == frames[0].source
    assert all(f.stress is None for f in back)


def test_writer_refuses_what_the_format_cannot_hold(tmp_path):
    frame = read_n2p2_data(FIXTURE)[0]
    frame.pbc = np.array([True, True, False])
    with pytest.raises(DataError, match="input.data', frame 0: periodic in some directions only"):
        write_n2p2_data(tmp_path / "x.data", [frame])
    frame.pbc, frame.forces = np.ones(3, bool), None
    with pytest.raises(DataError, match="needs an energy and forces"):
        write_n2p2_data(tmp_path / "x.data", [frame])


GOOD = FIXTURE.read_text().splitlines()


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (
            lambda ls: ls.__setitem__(5, "atom 0.0 0.0 0.0 Si 0.0 0.0 0.01 -0.02"),
            6,
            "'atom' line has 8 values; expected 9",
        ),
        (lambda ls: ls.__setitem__(6, "atom 2.5 2.5 2.5 Qq 0 0 0 0 0"), 7, "unknown element 'Qq'"),
        (lambda ls: ls.__setitem__(7, "energy -1.0x"), 8, "not a number"),
        (lambda ls: ls.__setitem__(2, "latice 10 0 0"), 3, "unknown keyword 'latice'"),
        (lambda ls: ls.__delitem__(4), 1, "2 lattice lines"),
        (lambda ls: ls.__delitem__(7), 1, "no 'energy' line"),
        (
            lambda ls: ls.__delitem__(9),
            10,
            "'begin' again before the 'end' of the frame from line 1",
        ),
        (lambda ls: ls.__delitem__(len(ls) - 1), 11, "no 'end'"),
    ],
)
def test_syntax_errors_name_line_and_frame(tmp_path, edit, line, message):
    lines = list(GOOD)
    edit(lines)
    path = tmp_path / "input.data"
    path.write_text("\n".join(lines) + "\n")
    frame = 1 if "no 'end'" in message else 0
    with pytest.raises(DataError, match=rf"input.data', frame {frame} \(line {line}\): {message}"):
        read_frames(path)


def test_line_outside_a_block(tmp_path):
    path = tmp_path / "input.data"
    path.write_text("\n".join(GOOD) + "\natom 0 0 0 H 0 0 0 0 0\n")
    with pytest.raises(DataError, match=r"frame 2 \(line 19\): 'atom' outside a begin"):
        read_frames(path)


def test_nan_in_a_block_names_its_begin_line(tmp_path):
    lines = list(GOOD)
    lines[13] = "atom -1.43 0.0 1.11 H 0.0 0.0 0.0 nan -0.025"
    path = tmp_path / "train.data"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"train.data', frame 1 \(line 11\): forces contain nan"):
        read_frames(path)
