"""validate_frames: every kind of bad input names the file, the frame and the problem."""

from pathlib import Path

import ase.io
import numpy as np
import pytest

from mlpot.data import DataError, Frame, read_frames, validate_frames

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def si2(source: str = "data/train.xyz:3", **changes) -> Frame:
    """A valid 2-atom Si frame, with some fields replaced."""
    fields = dict(
        numbers=np.array([14, 14]),
        positions=np.array([[0.0, 0.0, 0.0], [1.36, 1.36, 1.36]]),
        cell=5.43 * np.eye(3),
        pbc=np.ones(3, dtype=bool),
        energy=-10.8,
        forces=np.array([[0.1, 0.0, 0.0], [-0.1, 0.0, 0.0]]),
        stress=np.zeros(6),
        source=source,
    )
    fields.update(changes)
    return Frame(**fields)


def test_valid_frames_pass():
    validate_frames([si2(), si2(stress=None)], elements=["Si", "O"])
    validate_frames([si2(forces=None)], require_forces=False)
    molecule = si2(cell=np.zeros((3, 3)), pbc=np.zeros(3, dtype=bool))
    validate_frames([molecule])


NAN = float("nan")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"energy": None}, "no energy"),
        ({"energy": NAN}, "energy is nan"),
        ({"energy": float("inf")}, "energy is inf"),
        ({"forces": None}, "no forces"),
        ({"forces": np.zeros((3, 3))}, r"forces have shape \(3, 3\), expected \(2, 3\)"),
        ({"forces": np.zeros(6)}, r"forces have shape \(6,\), expected \(2, 3\)"),
        ({"forces": np.array([[0, 0, 0], [0, NAN, 0]])}, r"forces contain nan \(atom 1\)"),
        ({"positions": np.array([[0, 0, 0], [0, 0, np.inf]])}, r"positions contain inf \(atom 1\)"),
        ({"positions": np.zeros((2, 2))}, r"positions have shape \(2, 2\)"),
        ({"stress": np.array([0, 0, 0, NAN, 0, 0])}, r"stress contain nan \(component 3\)"),
        ({"stress": np.zeros((3, 3))}, r"stress has shape \(3, 3\), expected \(6,\)"),
        ({"cell": np.diag([5.43, NAN, 5.43])}, r"cell contain nan \(vector 1\)"),
        ({"cell": np.diag([5.43, 5.43, 0.0])}, "zero volume"),
        ({"cell": np.diag([5.43, 5.43, 0.0]), "pbc": np.array([1, 1, 0], bool)}, None),
        ({"cell": np.diag([5.43, 0.0, 0.0]), "pbc": np.array([1, 1, 0], bool)}, "zero cell vector"),
        ({"numbers": np.array([14, 0])}, "atomic number 0 is not an element"),
        ({"numbers": np.array([14, 8])}, r"element\(s\) O not among the elements \['Si'\]"),
        (
            {"numbers": np.zeros(0, int), "positions": np.zeros((0, 3)), "forces": None},
            "no atoms",
        ),
    ],
)
def test_each_problem_names_file_frame_and_what_is_wrong(changes, message):
    frames = [si2("data/train.xyz:0"), si2(**changes)]
    if message is None:  # a control: the change alone is fine
        validate_frames(frames, elements=["Si"])
        return
    with pytest.raises(DataError, match=rf"^'data/train.xyz', frame 3: .*{message}"):
        validate_frames(frames, elements=["Si"])


def test_forces_may_be_missing_when_not_required():
    validate_frames([si2(forces=None)], require_forces=False)
    with pytest.raises(DataError, match="forces have shape"):
        validate_frames([si2(forces=np.zeros((1, 3)))], require_forces=False)


def test_line_numbers_are_named_when_given():
    with pytest.raises(DataError, match=r"'data/train.xyz', frame 3 \(line 13\): no energy"):
        validate_frames([si2(energy=None)], lines=[13])


def test_frame_without_source_is_named_by_position():
    frames = [si2(source=""), si2(source="", energy=None)]
    with pytest.raises(DataError, match="^frame 1 of the list: no energy"):
        validate_frames(frames)


def test_empty_list_is_an_error():
    with pytest.raises(DataError, match="no frames"):
        validate_frames([])


def _extxyz_with(tmp_path, damage, name="bad.xyz"):
    images = ase.io.read(FIXTURES / "extxyz" / "si2_steps.xyz", index=":")
    damage(images[2])
    ase.io.write(tmp_path / name, images, format="extxyz")
    return tmp_path / name


def test_reader_reports_extxyz_frame_and_line(tmp_path):
    def nan_force(atoms):
        atoms.calc.results["forces"][1, 2] = np.nan

    path = _extxyz_with(tmp_path, nan_force)
    # 2-atom frames: frame k starts at line 4 k + 1
    with pytest.raises(
        DataError, match=r"bad.xyz', frame 2 \(line 9\): forces contain nan \(atom 1\)"
    ):
        read_frames(path)


def test_reader_reports_missing_forces(tmp_path):
    def drop_forces(atoms):
        del atoms.calc.results["forces"]

    path = _extxyz_with(tmp_path, drop_forces)
    with pytest.raises(DataError, match=r"bad.xyz', frame 2 \(line 9\): no forces"):
        read_frames(path)
    assert len(read_frames(path, require_forces=False)) == 4


def test_reader_reports_unknown_element():
    with pytest.raises(DataError, match=r"input.data', frame 1 \(line 11\): element\(s\) H, O"):
        read_frames(FIXTURES / "n2p2" / "input.data", elements=["Si"])


@pytest.mark.parametrize("selection", ["10", "4:", "-5"])
def test_empty_selection_names_file_and_selection(selection):
    with pytest.raises(DataError, match=rf"si2_steps.xyz': the selection '{selection}.*gives no"):
        read_frames(f"extxyz/si2_steps.xyz {selection}", base_dir=FIXTURES)


def test_empty_file_gives_no_frames(tmp_path):
    (tmp_path / "empty.data").write_text("\n")
    with pytest.raises(DataError, match="empty.data': the selection ':' gives no frames"):
        read_frames("empty.data", base_dir=tmp_path)
