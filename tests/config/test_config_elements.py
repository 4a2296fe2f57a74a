"""Per-element values against `elements`, explicit symmetry-function lines, file entries."""

from __future__ import annotations

import pytest

from mlpot.config import FileSpec, load_config, parse_symmetry_line
from mlpot.descriptors.symmetry_functions import AngularG4, AngularG5, AngularG5Mixed, RadialG2

HEAD = """\
elements: [Si, O]
data:
  train: structure_list
"""


def test_per_element_mapping_must_cover_exactly_the_elements(problems_in):
    problems = problems_in(
        HEAD
        + """\
model:
  hidden: {Si: [8], C: [8]}
  activation: {Si: tanh, O: silu}
"""
    )
    assert [(p.key, p.line) for p in problems] == [("model.hidden", 5), ("model.hidden.C", 5)]
    assert problems[0].message == "no value for O; give one for each of Si, O"
    assert problems[1].message.startswith("C is not in elements (Si, O)")


def test_per_element_keys_must_be_element_symbols(problems_in):
    problems = problems_in("data: {train: s}\nmodel:\n  activation:\n    si: tanh\n    Qq: silu\n")
    assert [(p.key, p.line) for p in problems] == [
        ("model.activation.si", 4),
        ("model.activation.Qq", 5),
    ]
    assert problems[0].message == "'si' is not a chemical element symbol; did you mean 'Si'?"


def test_without_elements_any_symbols_may_be_mapped(write_config):
    config = load_config(write_config("data: {train: s}\nmodel: {hidden: {C: [4], H: [2]}}\n"))
    assert config.model.hidden == {"C": [4], "H": [2]}


def test_preset_and_explicit_lines_exclude_each_other(problems_in):
    (problem,) = problems_in(
        HEAD
        + """\
descriptors:
  preset: default
  symmetry_functions: [Si 2 Si 0.01 0.0 6.0, O 2 Si 0.01 0.0 6.0]
"""
    )
    assert (problem.key, problem.line) == ("descriptors.preset", 5)
    assert "not both; set preset: null" in problem.message
    (problem,) = problems_in(HEAD + "descriptors: {preset: null}\n")
    assert (problem.key, problem.line) == ("descriptors.preset", 4)
    assert "symmetry_functions must list the functions" in problem.message


def test_explicit_lines_are_checked_against_cutoff_and_elements(problems_in):
    problems = problems_in(
        HEAD
        + """\
descriptors:
  cutoff: 5.0
  symmetry_functions:
    - Si 2 Si 0.01 0.0 5.0
    - Si 2 O 0.01 0.0 6.0
"""
    )
    assert [(p.key, p.line) for p in problems] == [("descriptors.symmetry_functions[1]", 8)]
    assert "rc 6.0 beyond descriptors.cutoff 5.0" in problems[0].message
    problems = problems_in(
        HEAD
        + """\
descriptors:
  symmetry_functions:
    - Si 2 Si 0.01 0.0 5.0
    - Si 3 Si C 0.01 1 1 5.0
"""
    )
    assert [(p.key, p.line) for p in problems] == [
        ("descriptors.symmetry_functions", 5),
        ("descriptors.symmetry_functions[1]", 7),
    ]
    assert "no symmetry function is centred on O" in problems[0].message
    assert "uses C, not in elements (Si, O)" in problems[1].message


def test_malformed_line_points_at_its_item(problems_in):
    (problem,) = problems_in(
        HEAD
        + """\
descriptors:
  symmetry_functions:
    - Si 2 Si 0.01 0.0 5.0
    - O 2 Si 0.01 5.0
"""
    )
    assert (problem.key, problem.line) == ("descriptors.symmetry_functions[1]", 7)
    assert "a type 2 line has 6 fields" in problem.message


def test_parse_symmetry_lines():
    assert parse_symmetry_line("Si 2 O 0.5 1.5 6") == RadialG2("Si", "O", 0.5, 1.5, 6.0)
    assert parse_symmetry_line("symfunction_short O 9 Si Si 0.01 -1 4 5.5") == (
        AngularG5("O", ("Si", "Si"), 0.01, -1.0, 4.0, 5.5)
    )
    assert parse_symmetry_line("Si 3 Si O 0.1 1 2 6 0.5") == (
        AngularG4("Si", ("O", "Si"), 0.1, 1.0, 2.0, 6.0, rs=0.5)
    )
    two_shells = parse_symmetry_line("Si 9m Si O 0.5 1 4 6 3.6 2.3")
    assert two_shells == AngularG5Mixed("Si", ("O", "Si"), 0.5, 1.0, 4.0, 6.0, rs=2.3, rs2=3.6)
    assert two_shells.n2p2_line() == "Si 9m O Si 0.5 1 4.0 6.0 2.3 3.6"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Si 4 Si 0.01 0.0 6.0", "type 2 (radial), 3 or 9"),
        ("Si", "type 2 (radial), 3 or 9"),
        ("Si 3 Si Si 0.01 1 1.0", "8 or 9 fields"),
        ("Si 2 Si 0.01 6.0", "a type 2 line has 6 fields: centre 2 neighbour eta rs rc"),
        ("Si 2 Si 0.01 -1.0 6.0", "rs must be >= 0"),
        ("Si 9m Si Si 0.01 1 1.0 6.0 2.0", "a type 9m line has 10 fields"),
        ("Si 9m Si Si 0.01 1 1.0 6.0 2.0 -3", "rs must be >= 0, found -3"),
        ("Si 2 Xx 0.01 0.0 6.0", "'Xx' is not a chemical element symbol"),
        ("Si 2 Si -0.01 0.0 6.0", "eta must be >= 0"),
        ("Si 2 Si 0.01 0.0 0", "rc must be > 0"),
        ("Si 2 Si nan 0.0 6.0", "eta must be a finite number"),
        ("Si 2 Si 0.01 x 6.0", "rs must be a finite number, found 'x'"),
        ("Si 3 Si Si 0.01 0 1.0 6.0", "lambda must be -1 or 1"),
        ("Si 9 Si Si 0.01 1 0.5 6.0", "zeta must be >= 1"),
    ],
)
def test_bad_symmetry_lines(line, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_symmetry_line(line)


@pytest.mark.parametrize(
    ("entry", "name", "selection"),
    [
        ("OUTCAR", "OUTCAR", ":"),
        ("OUTCAR -1", "OUTCAR", "-1"),
        ("OUTCAR   5", "OUTCAR", "5"),
        ("run 1/OUTCAR ::10", "run 1/OUTCAR", "::10"),
        ("run 1/OUTCAR", "run 1/OUTCAR", ":"),
        ("data/{a,b}.xyz 1:-1", "data/{a,b}.xyz", "1:-1"),
    ],
)
def test_file_entry_text(entry, name, selection, tmp_path):
    spec = FileSpec.model_validate(entry, context={"base_dir": tmp_path})
    assert spec == FileSpec(path=tmp_path / name, selection=selection)
    assert spec.entry == f"{tmp_path / name} {selection}"


def test_empty_file_entry_is_an_error(problems_in):
    (problem,) = problems_in("data:\n  train: [{name: a, files: ['  ']}]\n")
    assert problem.key == "data.train[0].files[0]"
    assert "empty file entry" in problem.message


def test_data_formats_beside_ase_are_accepted(write_config):
    config = load_config(write_config("data: {train: [{name: a, files: [x], format: n2p2}]}"))
    assert config.data.train[0].format == "n2p2"
