"""Damaged n2p2 potentials: each error names the file and line, says what is wrong and what to
do, and comes as an MlpotError (one line from the command line, no traceback)."""

import shutil
from pathlib import Path

import pytest

from mlpot.cli.main import main
from mlpot.data import BOHR_HARTREE
from mlpot.errors import MlpotError
from mlpot.interop.n2p2 import read_potential

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "n2p2_si"
FIRST_SF_LINE = 42  # line of the first symfunction_short in the fixture's input.nn


@pytest.fixture
def potential(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "si")
    return tmp_path / "si"


def _edit(path: Path, change) -> None:
    lines = path.read_text().splitlines()
    change(lines)
    path.write_text("\n".join(lines) + "\n")


def _replace(index: int, text: str):
    return lambda lines: lines.__setitem__(index, text)


# (file, edit of its lines, expected message)
CASES = {
    "truncated-weights": (
        "weights.014.data",
        lambda lines: lines.__delitem__(slice(-10, None)),
        r"weights.014.data', line 1287: 1287 values, but the 27-24-24-1 network of Si in "
        r"input.nn needs 1297: the file is truncated",
    ),
    "extra-weights": (
        "weights.014.data",
        lambda lines: lines.append("0.5 b 1298 3 2"),
        r"line 1298: 1298 values, but .* needs 1297: the file has extra lines",
    ),
    "weight-not-a-number": (
        "weights.014.data",
        _replace(4, "0.1x a 5 0 1 1 5"),
        r"weights.014.data', line 5: '0.1x' is not a number",
    ),
    "unknown-function-type": (
        "input.nn",
        _replace(FIRST_SF_LINE, "symfunction_short Si 12 Si 0.01 7.5 10.39"),
        rf"input.nn', line {FIRST_SF_LINE + 1}: symmetry-function type 12 is not supported; "
        r"mlpot reads types 2 \(radial\), 3 \(narrow angular\), 9 \(wide angular\)",
    ),
    "element-not-in-elements": (
        "input.nn",
        lambda lines: lines.append("symfunction_short Si 3 Si Ge 0.01 1 1.0 10.39"),
        r"input.nn', line 69: element 'Ge' is not in 'elements' \(Si\); add it to 'elements'",
    ),
    "unsupported-lambda": (
        "input.nn",
        _replace(FIRST_SF_LINE + 3, "symfunction_short Si 3 Si Si 0.01 0.5 1.0 10.39"),
        rf"input.nn', line {FIRST_SF_LINE + 4}: lambda must be -1 or 1, found 0.5; fix the",
    ),
    "missing-scaling-line": (
        "scaling.data",
        lambda lines: lines.__delitem__(9),
        r"scaling.data', line 10: expected element 1 \(Si\), function 10, found '1 11'; "
        r"a line is missing or out of order",
    ),
    "missing-last-scaling-line": (
        "scaling.data",
        lambda lines: lines.__delitem__(26),
        r"scaling.data', line 26: the file ends after 26 of the 27 scaling lines of Si",
    ),
    "unknown-activation": (
        "input.nn",
        _replace(9, "global_activation_short t x l"),
        r"input.nn', line 10: unknown activation 'x'; n2p2's activations are l t s p r g c S e h",
    ),
    "nonlinear-output": (
        "input.nn",
        _replace(9, "global_activation_short t t t"),
        r"line 10: output activation 't' of Si; mlpot's networks have a linear output",
    ),
    "wrong-number-of-nodes": (
        "input.nn",
        _replace(8, "global_nodes_short 24 24 24"),
        r"input.nn', line 9: 3 values where the number of hidden layers asks for 2",
    ),
    "unknown-cutoff": (
        "input.nn",
        _replace(3, "cutoff_type 11"),
        r"input.nn', line 4: unknown cutoff type 11; choose one of 0 \(hard\), 1 \(cos\)",
    ),
    "element-count": (
        "input.nn",
        _replace(0, "number_of_elements 2"),
        r"input.nn', line 1: number_of_elements is 2 but 'elements' \(line 2\) lists 1",
    ),
    "keyword-twice": (
        "input.nn",
        lambda lines: lines.append("cutoff_type 2"),
        r"input.nn', line 69: 'cutoff_type' again \(first on line 4\)",
    ),
    "half-normalisation": (
        "input.nn",
        lambda lines: lines.append("mean_energy -0.2"),
        r"input.nn', line 69: normalisation without conv_energy, conv_length",
    ),
    "constant-function": (
        "scaling.data",
        _replace(0, "1 1 2.5 2.5 2.5 0.0"),
        r"scaling.data', line 1: max - min is 0.0 \(function 1\); n2p2 would divide by it",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_files_name_file_and_line(potential, case):
    name, change, message = CASES[case]
    _edit(potential / name, change)
    with pytest.raises(MlpotError, match=message):
        read_potential(potential, units=BOHR_HARTREE)


def test_missing_weights_file(potential):
    (potential / "weights.014.data").rename(potential / "weights.014.000024.out")
    with pytest.raises(MlpotError, match=r"weights.014.data': no such file; .* one weights"):
        read_potential(potential, BOHR_HARTREE)


def test_not_a_potential_directory(tmp_path):
    with pytest.raises(MlpotError, match="not an n2p2 potential directory"):
        read_potential(tmp_path)


def test_command_line_prints_one_line(potential, tmp_path, capsys):
    _edit(potential / "scaling.data", lambda lines: lines.__delitem__(26))
    status = main(["import", str(potential), str(tmp_path / "si.pt"), "--format", "n2p2"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert err.startswith("mlpot import: error: '") and "scaling line is missing" in err
