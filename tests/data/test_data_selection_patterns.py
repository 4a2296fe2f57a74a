"""Frame selections ("OUTCAR 100:2000:20") and file patterns (globs, braces)."""

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from mlpot.data.errors import DataError
from mlpot.data.patterns import expand_braces, match_files
from mlpot.data.selection import parse_selection, selected_indices, split_entry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":", list(range(10))),
        ("5", [5]),
        ("0", [0]),
        ("-1", [9]),
        ("-2", [8]),
        ("2:8:3", [2, 5]),
        ("::4", [0, 4, 8]),
        ("7:", [7, 8, 9]),
        (":3", [0, 1, 2]),
        ("::-3", [9, 6, 3, 0]),
        ("-3:", [7, 8, 9]),
        ("20", []),
    ],
)
def test_selection_picks_python_slice_indices(text, expected):
    assert list(selected_indices(parse_selection(text), 10)) == expected


@pytest.mark.parametrize("text", ["1:x", "a", "1.5", "1:2:3:4", "::0"])
def test_bad_selection_is_explained(text):
    with pytest.raises(ValueError, match="selection"):
        parse_selection(text)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("OUTCAR 100:2000:20", ("OUTCAR", "100:2000:20")),
        ("  data/train.xyz  ", ("data/train.xyz", ":")),
        ("run/OUTCAR -1", ("run/OUTCAR", "-1")),
        ("my data/file.xyz", ("my data/file.xyz", ":")),
        ("my data/file.xyz ::2", ("my data/file.xyz", "::2")),
        ("OUTCAR 1:x", ("OUTCAR", "1:x")),
    ],
)
def test_split_entry(entry, expected):
    assert split_entry(entry) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("OUTCAR", ["OUTCAR"]),
        ("OUTCAR_{a,b}", ["OUTCAR_a", "OUTCAR_b"]),
        ("run{1..3}/OUTCAR", ["run1/OUTCAR", "run2/OUTCAR", "run3/OUTCAR"]),
        ("{3..1}", ["3", "2", "1"]),
        ("{01..10..3}", ["01", "04", "07", "10"]),
        ("{a..c}", ["a", "b", "c"]),
        ("{x,y}_{1..2}", ["x_1", "x_2", "y_1", "y_2"]),
        ("a{b,c{1,2}}", ["ab", "ac1", "ac2"]),
        ("keep{x}", ["keep{x}"]),
        ("{x}_{1,2}", ["{x}_1", "{x}_2"]),
        ("{,_old}.xyz", [".xyz", "_old.xyz"]),
    ],
)
def test_brace_expansion(pattern, expected):
    assert expand_braces(pattern) == expected


def _bash_expansions(patterns: list[str]) -> list[list[str]]:
    """What bash's own brace expansion gives for each pattern (one bash run for all); bash
    drops words that expand to nothing, and printf with no word prints "[]"."""
    script = "".join(f"printf '[%s]\\n' {p}; echo ---\n" for p in patterns)
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    words = out.stdout.split("---\n")[:-1]
    return [[line[1:-1] for line in block.splitlines() if line != "[]"] for block in words]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash as the reference")
def test_brace_expansion_equals_bash():
    rng = random.Random(0)
    alphabet = ["a", "b", "1", "0", "-", ",", "{", "}", ".."]
    patterns = ["".join(rng.choices(alphabet, k=rng.randint(1, 10))) for _ in range(400)]
    patterns += ["{a..e..2}", "{-05..5..5}", "{10..1..3}", "x{,}", "{1,,b}", "a{b,c}}"]
    for pattern, expected in zip(patterns, _bash_expansions(patterns), strict=True):
        assert expand_braces(pattern) == expected, pattern


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ["run1/OUTCAR", "run2/OUTCAR", "run10/OUTCAR", "a.xyz", "b.xyz", "c.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    return tmp_path


def _names(paths, root):
    return [str(p.relative_to(root)) for p in paths]


def test_glob_matches_in_natural_order(tree):
    assert _names(match_files("run*/OUTCAR", tree), tree) == [
        "run1/OUTCAR",
        "run2/OUTCAR",
        "run10/OUTCAR",
    ]
    assert _names(match_files("?.xyz", tree), tree) == ["a.xyz", "b.xyz"]


def test_braces_then_globs_without_duplicates(tree):
    assert _names(match_files("{a,?}.xyz", tree), tree) == ["a.xyz", "b.xyz"]
    assert _names(match_files("run{1..2}/OUTCAR", tree), tree) == ["run1/OUTCAR", "run2/OUTCAR"]


def test_absolute_pattern_ignores_base_dir(tree):
    assert match_files(str(tree / "a.xyz"), "/nonexistent") == [tree / "a.xyz"]


def test_pattern_matching_nothing_names_the_pattern(tree):
    with pytest.raises(DataError, match=r"no file matches '\*.json'"):
        match_files("*.json", tree)
    with pytest.raises(DataError, match="run3/OUTCAR.*from 'run{1..3}/OUTCAR'"):
        match_files("run{1..3}/OUTCAR", tree)
    with pytest.raises(DataError, match="missing.xyz"):
        match_files("missing.xyz", tree)


def test_pattern_naming_no_file_is_refused(tree):
    for pattern in ("", "{,}"):
        with pytest.raises(DataError, match="names no file"):
            match_files(pattern, tree)


def test_directory_is_not_a_data_file(tree):
    with pytest.raises(DataError, match="is a directory"):
        match_files("run1", tree)
