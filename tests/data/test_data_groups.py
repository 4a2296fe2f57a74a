"""Weighted groups: load_group, SIMPLE-NN structure_list files, format detection."""

import shutil
from pathlib import Path

import pytest

from mlpot.data import (
    BOHR_HARTREE,
    DataError,
    GroupSpec,
    detect_format,
    load_group,
    load_structure_list,
    read_frames,
    read_structure_list,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """run1..run3/OUTCAR (3 frames each), xyz/si2_steps.xyz (4), mlearn.json (3)."""
    for run in ("run1", "run2", "run3"):
        (tmp_path / run).mkdir()
        shutil.copy(FIXTURES / "vasp" / "OUTCAR", tmp_path / run / "OUTCAR")
    (tmp_path / "xyz").mkdir()
    shutil.copy(FIXTURES / "extxyz" / "si2_steps.xyz", tmp_path / "xyz")
    shutil.copy(FIXTURES / "mlearn" / "si_records.json", tmp_path / "mlearn.json")
    return tmp_path


def _origins(frames, root):
    return [str(Path(f.source).relative_to(root)) for f in frames]


def test_load_group_expands_braces_and_globs(tree):
    frames = load_group("bulk", 2.0, ["run{1,3}/OUTCAR -1", "xyz/*.xyz 1:3"], tree)
    assert _origins(frames, tree) == [
        "run1/OUTCAR:2",
        "run3/OUTCAR:2",
        "xyz/si2_steps.xyz:1",
        "xyz/si2_steps.xyz:2",
    ]
    assert {(f.group, f.weight) for f in frames} == {("bulk", 2.0)}


def test_load_group_keeps_the_files_group_labels_as_kinds(tree):
    frames = load_group("mixed", 1.5, ["mlearn.json", "run1/OUTCAR 0"], tree)
    assert {(f.group, f.weight) for f in frames} == {("mixed", 1.5)}
    assert [f.info["kind"] for f in frames] == ["Vacancy", "Surface", "Surface", "mixed"]


def test_load_group_range_braces_and_question_mark(tree):
    frames = load_group("md", 1.0, ["run{1..2}/OUTCAR ::2", "run?/OUTCAR 0"], tree)
    assert _origins(frames, tree) == [
        "run1/OUTCAR:0",
        "run1/OUTCAR:2",
        "run2/OUTCAR:0",
        "run2/OUTCAR:2",
        "run1/OUTCAR:0",
        "run2/OUTCAR:0",
        "run3/OUTCAR:0",
    ]


def test_load_group_errors(tree):
    with pytest.raises(
        DataError, match=r"no file matches 'run4/OUTCAR' \(from 'run{3..4}/OUTCAR'\)"
    ):
        load_group("bulk", 1.0, ["run{3..4}/OUTCAR"], tree)
    with pytest.raises(DataError, match="group 'bulk' lists no files"):
        load_group("bulk", 1.0, [], tree)
    with pytest.raises(DataError, match="weight -1.0 is not allowed"):
        load_group("bulk", -1.0, ["run1/OUTCAR"], tree)
    with pytest.raises(DataError, match="bad frame selection '1:x'"):
        load_group("bulk", 1.0, ["run1/OUTCAR 1:x"], tree)


STRUCTURE_LIST = """\
# data for the Si potential
mlearn.json 0:2          # before any header: group "default"

[ bulk : 3.0 ]
run{1..2}/OUTCAR ::2
[surface]
xyz/si2_steps.xyz -1
[ bulk : 3 ]
run3/OUTCAR 1
"""


def test_read_structure_list(tree):
    (tree / "structure_list").write_text(STRUCTURE_LIST)
    assert read_structure_list(tree / "structure_list") == [
        GroupSpec("default", 1.0, ["mlearn.json 0:2"]),
        GroupSpec("bulk", 3.0, ["run{1..2}/OUTCAR ::2", "run3/OUTCAR 1"]),
        GroupSpec("surface", 1.0, ["xyz/si2_steps.xyz -1"]),
    ]
    name, weight, entries = read_structure_list(tree / "structure_list")[1]
    assert (name, weight, len(entries)) == ("bulk", 3.0, 2)


def test_load_structure_list_relative_to_its_folder(tree):
    (tree / "structure_list").write_text(STRUCTURE_LIST)
    frames = load_structure_list(tree / "structure_list", elements=["Si"])
    assert [(f.group, f.weight) for f in frames] == [("default", 1.0)] * 2 + [("bulk", 3.0)] * 5 + [
        ("surface", 1.0)
    ]
    assert _origins(frames, tree)[-2:] == ["run3/OUTCAR:1", "xyz/si2_steps.xyz:3"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("[ bulk : heavy ]", "weight 'heavy' of group 'bulk' is not a number >= 0"),
        ("[ bulk : -2 ]", "weight '-2'"),
        ("[ bulk : nan ]", "weight 'nan'"),
        ("[ bulk", "bad group header '\\[ bulk'"),
        ("[ : 2 ]", "bad group header"),
        ("[ a : 1 : 2 ]", "bad group header"),
        ("[]", "bad group header"),
        ("[ bulk : 2.0 ]", "group 'bulk' appears again with weight 2.0, earlier 3.0"),
    ],
)
def test_bad_headers_name_the_line(tree, header, message):
    (tree / "structure_list").write_text(STRUCTURE_LIST + "\n" + header + "\n")
    with pytest.raises(DataError, match=rf"structure_list', line 11: {message}"):
        read_structure_list(tree / "structure_list")


def test_entry_error_names_the_list_and_group(tree):
    (tree / "structure_list").write_text("[ bulk ]\nrun1/OUTCAR\nrun9/OUTCAR\n")
    with pytest.raises(DataError, match=r"structure_list', group 'bulk': no file matches 'run9"):
        load_structure_list(tree / "structure_list")


def test_missing_structure_list(tmp_path):
    with pytest.raises(DataError, match="structure list .*nothing': cannot open it"):
        read_structure_list(tmp_path / "nothing")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("training.json", "mlearn"),
        ("data/Si.JSON", "mlearn"),
        ("input.data", "n2p2"),
        ("train.data", "n2p2"),
        ("OUTCAR", None),
        ("vasprun.xml", None),
        ("train.xyz", None),
    ],
)
def test_detect_format(name, expected):
    assert detect_format(name) == expected


def test_units_only_for_n2p2(tree):
    with pytest.raises(DataError, match="file units apply to n2p2 input.data files only"):
        read_frames("xyz/si2_steps.xyz", base_dir=tree, units=BOHR_HARTREE)


def test_explicit_format_beats_the_name(tree):
    shutil.copy(FIXTURES / "n2p2" / "input.data", tree / "atomic_units.txt")
    frames = read_frames("atomic_units.txt", base_dir=tree, format="n2p2", units=BOHR_HARTREE)
    assert frames[0].energy == pytest.approx(-27.2113862, rel=1e-7)
    shutil.copy(FIXTURES / "mlearn" / "si_records.json", tree / "records.txt")
    assert len(read_frames("records.txt", base_dir=tree, format="mlearn")) == 3
