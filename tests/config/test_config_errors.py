"""Invalid configurations: one ConfigError listing each problem with file, key, line."""

from __future__ import annotations

import pytest

from mlpot.config import ConfigError, ConfigProblem, load_config
from mlpot.errors import MlpotError


def only(problems: list[ConfigProblem]) -> ConfigProblem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


TYPOS = [  # (text in FULL, typo, dotted key, line, suggestion)
    ("output: runs/si", "outptu: runs/si", "outptu", 1, "output"),
    ("  require_forces:", "  require_force:", "data.require_force", 15, "require_forces"),
    ("      weight: 2.0", "      wieght: 2.0", "data.train[0].wieght", 6, "weight"),
    (
        "          selection:",
        "          selction:",
        "data.train[1].files[0].selction",
        12,
        "selection",
    ),
    ("  cutoff_alpha:", "  cutoff_alfa:", "descriptors.cutoff_alfa", 19, "cutoff_alpha"),
    ("  pca: true", "  pcaa: true", "model.pcaa", 30, "pca"),
    ("  batch_size: 4", "  batchsize: 4", "training.batchsize", 34, "batch_size"),
    ("lr: 5e-4", "lrr: 5e-4", "training.optimizer.lrr", 35, "lr"),
    ("    gamma: 0.98", "    gamm: 0.98", "training.schedule.gamm", 38, "gamma"),
    ("forces: 0.5", "force: 0.5", "training.loss.force", 39, "forces"),
    ("patience: 20", "patince: 20", "training.early_stopping.patince", 40, "patience"),
]


@pytest.mark.parametrize(("old", "new", "key", "line", "meant"), TYPOS)
def test_typo_at_each_level_suggests_the_key(edited_problems, old, new, key, line, meant):
    problem = only(edited_problems(old, new))
    assert (problem.key, problem.line) == (key, line)
    assert problem.message.endswith(f"did you mean '{meant}'?")
    assert problem.file.name == "config.yaml"


def test_unknown_key_far_from_any_lists_the_allowed_keys(edited_problems):
    problem = only(edited_problems("  pca: true", "  zzz: true"))
    assert "did you mean" not in problem.message
    allowed = "family, hidden, activation, scaling, pca, pca_epsilon, reference_energies"
    assert f"allowed keys here: {allowed}" in problem.message


AUTO_OR_NUMBER = "a number, or a word 'auto'"
AUTO_OR_INTEGER = "an integer, or a word 'auto'"
WRONG_TYPES = [  # (text in FULL, replacement, key, line, expected, found)
    ("  cutoff: 5.5", "  cutoff: far", "descriptors.cutoff", 17, AUTO_OR_NUMBER, "'far' (str)"),
    ("  epochs: 50", "  epochs: 50.5", "training.epochs", 33, AUTO_OR_INTEGER, "50.5 (float)"),
    ("  pca: true", "  pca: 1", "model.pca", 30, "true or false", "1 (int)"),
    ("  seed: 7", "  seed: '7'", "training.seed", 42, "an integer", "'7' (str)"),
    ("  cutoff: 5.5", "  cutoff: true", "descriptors.cutoff", 17, AUTO_OR_NUMBER, "true (bool)"),
    (
        '      files: ["data/train.xyz", "OUTCAR 100:2000:20"]',
        "      files: data/train.xyz",
        "data.train[0].files",
        7,
        "a list",
        "'data/train.xyz' (str)",
    ),
    (
        "  optimizer: {name: adamw, lr: 5e-4, weight_decay: 1e-5}",
        "  optimizer: adam",
        "training.optimizer",
        35,
        "a mapping (key: value)",
        "'adam' (str)",
    ),
    (
        "{Si: [24, 24], O: [16, 16]}",
        "{Si: [24, x], O: [16, 16]}",
        "model.hidden.Si[1]",
        27,
        "an integer",
        "'x' (str)",
    ),
    (
        "{Si: [24, 24], O: [16, 16]}",
        "24",
        "model.hidden",
        27,
        "a list, or a mapping element -> value",
        "24 (int)",
    ),
    (
        "  validation: 0.2",
        "  validation: yes",
        "data.validation",
        13,
        "a number, or a list of groups",
        "true (bool)",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "line", "expected", "found"), WRONG_TYPES)
def test_wrong_type_names_expected_type_and_value(
    edited_problems, old, new, key, line, expected, found
):
    problem = only(edited_problems(old, new))
    assert (problem.key, problem.line) == (key, line)
    assert problem.message == f"expected {expected}, found {found}"


OUT_OF_RANGE = [  # (text in FULL, replacement, key, line, words in the message)
    ("  cutoff: 5.5", "  cutoff: -1", "descriptors.cutoff", 17, "must be > 0"),
    ("  cutoff_alpha: 0.1", "  cutoff_alpha: 1", "descriptors.cutoff_alpha", 19, "must be < 1"),
    ("  validation: 0.2", "  validation: 1.0", "data.validation", 13, "must be < 1"),
    ("      weight: 2.0", "      weight: -2", "data.train[0].weight", 6, "must be >= 0"),
    ("  zeta: [1, 4]", "  zeta: [1, 0.5]", "descriptors.zeta[1]", 24, "must be >= 1"),
    ("lr: 5e-4", "lr: 0", "training.optimizer.lr", 35, "must be > 0"),
    ("  batch_size: 4", "  batch_size: 0", "training.batch_size", 34, "must be >= 1"),
    ("  n_radial: 8", "  n_radial: 0", "descriptors.n_radial", 20, "must be >= 1"),
    ("    gamma: 0.98", "    gamma: 1.5", "training.schedule.gamma", 38, "must be <= 1"),
    ("  lambdas: [-1, 1]", "  lambdas: [-1, 2]", "descriptors.lambdas[1]", 25, "one of -1, 1"),
    ("  angular: wide", "  angular: broad", "descriptors.angular", 22, "one of narrow, wide"),
    ("  device: cuda:0", "  device: gpu", "training.device", 43, "use auto, cpu, cuda, cuda:N"),
    ("      format: extxyz", "      format: exyz", "data.train[0].format", 8, "not a file format"),
    (
        '  test: [{name: held, files: ["test/*.xyz"]}]',
        "  test: [{name: held, files: []}]",
        "data.test[0].files",
        14,
        "needs at least 1 item, found 0",
    ),
    (
        "OUTCAR 100:2000:20",
        "OUTCAR ::0",
        "data.train[0].files[1].selection",
        7,
        "the step of a slice cannot be 0",
    ),
    ("O: -4.9}", "o: -4.9}", "model.reference_energies.o", 31, "did you mean 'O'?"),
    ("  dtype: float32", "  dtype: float16", "training.dtype", 41, "one of float64, float32"),
]


@pytest.mark.parametrize(("old", "new", "key", "line", "words"), OUT_OF_RANGE)
def test_out_of_range_values(edited_problems, old, new, key, line, words):
    problem = only(edited_problems(old, new))
    assert (problem.key, problem.line) == (key, line)
    assert words in problem.message


def test_literal_typo_suggests_the_value(edited_problems):
    problem = only(edited_problems("cutoff_function: poly2", "cutoff_function: poyl2"))
    assert problem.message.startswith("expected one of cos, poly1, poly2")
    assert problem.message.endswith("found 'poyl2' (str); did you mean 'poly2'?")


def test_unknown_schedule_name_points_at_the_name(edited_problems):
    problem = only(edited_problems("    name: exponential", "    name: exponentail"))
    assert (problem.key, problem.line) == ("training.schedule.name", 37)
    assert problem.message == (
        "expected one of plateau, exponential, cosine, none, found 'exponentail' (str); "
        "did you mean 'exponential'?"
    )


def test_all_problems_are_reported_at_once_in_line_order(problems_in, full_text):
    text = full_text.replace("lr: 5e-4", "lr: -1").replace("output:", "outptu:")
    text = text.replace("  cutoff: 5.5", "  cutoff: x").replace("  seed: 7", "  seed: -7")
    problems = problems_in(text)
    assert [(p.line, p.key) for p in problems] == [
        (1, "outptu"),
        (17, "descriptors.cutoff"),
        (35, "training.optimizer.lr"),
        (42, "training.seed"),
    ]


def test_error_text_lists_file_line_key_and_message(write_config, full_text):
    path = write_config(full_text.replace("lr: 5e-4", "lrr: 5e-4"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert text.startswith(f"invalid configuration {path} (1 problem):")
    assert f"{path}:35: training.optimizer.lrr: unknown key 'lrr'; did you mean 'lr'?" in text


def test_missing_required_keys(problems_in):
    problem = only(problems_in("training: {epochs: 3}\n"))
    assert (problem.key, problem.line, problem.message) == ("data", 1, "required key is missing")
    problem = only(problems_in("data:\n  validation: 0.1\n  train:\n    - files: [a.xyz]\n"))
    assert (problem.key, problem.line) == ("data.train[0].name", 4)


def test_bad_yaml_syntax_names_the_line(problems_in):
    problem = only(problems_in("data:\n  train: [a, b\ntraining: {epochs: 3}\n"))
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML syntax")
    assert "began on line 2" in problem.message
    problem = only(problems_in("data:\n  train: x\n\tseed: 1\n"))
    assert problem.line == 3


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(problems_in, text):
    assert "the file is empty" in only(problems_in(text)).message


def test_top_level_must_be_a_mapping(problems_in):
    problem = only(problems_in("- data\n- training\n"))
    assert (problem.key, problem.line) == ("", 1)
    assert problem.message.startswith("expected a mapping (key: value), found [")


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file") as info:
        load_config(tmp_path / "nope.yaml")
    assert isinstance(info.value, MlpotError)


def test_repeated_key_is_an_error(problems_in):
    problem = only(problems_in("data:\n  train: a\ntraining:\n  seed: 1\n  seed: 2\n"))
    assert (problem.key, problem.line) == ("training.seed", 5)
    assert "also on line 4" in problem.message


def test_group_names_must_be_unique(problems_in):
    problem = only(
        problems_in("""\
data:
  train:
    - {name: a, files: [x.xyz]}
    - name: a
      files: [y.xyz]
""")
    )
    assert (problem.key, problem.line) == ("data.train[1].name", 4)
    assert "already used by group 0" in problem.message


def test_train_of_wrong_type_names_both_forms(problems_in):
    problem = only(problems_in("data:\n  train: {name: a}\n"))
    assert problem.message.startswith("expected a path, or a list of groups")


def test_all_loss_coefficients_zero(edited_problems):
    problem = only(
        edited_problems("energy: 1.0, forces: 0.5, stress: 0.1", "energy: 0, forces: 0, stress: 0")
    )
    assert (problem.key, problem.line) == ("training.loss", 39)
    assert "make at least one positive" in problem.message


def test_elements_listed_twice(edited_problems):
    problem = only(edited_problems("elements: [Si, O]", "elements: [Si, O, Si]"))
    assert (problem.key, problem.message) == ("elements", "Si listed more than once")


def test_final_loss_stage_is_refused_with_the_kalman_filter(problems_in):
    text = "data:\n  train: t.xyz\ntraining:\n  optimizer: {name: kalman}\n"
    problem = only(problems_in(text + "  loss: {final: {energy: 20}}\n"))
    assert (problem.key, problem.line) == ("training.loss.final", 5)
    assert "Kalman filter" in problem.message


def test_huber_loss_is_refused_with_the_kalman_filter(problems_in):
    text = "data:\n  train: t.xyz\ntraining:\n  optimizer: {name: kalman}\n"
    problem = only(problems_in(text + "  loss: {huber: {forces: 0.1}}\n"))
    assert (problem.key, problem.line) == ("training.loss.huber", 5)
    assert "squared errors" in problem.message


def test_interaction_is_refused_with_the_kalman_filter(problems_in):
    text = "data:\n  train: t.xyz\nmodel:\n  interaction: {features: 4}\n"
    problem = only(problems_in(text + "training:\n  optimizer: {name: kalman}\n"))
    assert (problem.key, problem.line) == ("model.interaction", 4)
    assert "Kalman filter" in problem.message
