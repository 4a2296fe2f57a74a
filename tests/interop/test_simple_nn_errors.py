"""Broken SIMPLE-NN potential files name the file and line; models the format cannot hold are
refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)
from mlpot.errors import MlpotError
from mlpot.interop import read_potential, write_potential
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

FIXTURE = Path(__file__).parents[1] / "fixtures" / "simple_nn" / "potential_saved_OH"
LINES = FIXTURE.read_text().splitlines()


def _variant(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "potential_saved"
    path.write_text("\n".join(lines) + "\n")
    return path


def _replace(number: int, text: str) -> list[str]:
    """The fixture with its line `number` (1-based) replaced by `text`."""
    assert LINES[number - 1].strip(), "replace a line with content"
    return LINES[: number - 1] + [text] + LINES[number:]


def _line_of(text: str) -> int:
    return LINES.index(text) + 1


def _error(tmp_path: Path, lines: list[str]) -> str:
    path = _variant(tmp_path, lines)
    with pytest.raises(MlpotError) as info:
        read_potential("simple-nn", path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_truncated_net_block(tmp_path):
    cut = _line_of("LAYER 1 sigmoid") + 1  # ends after w0 of H's sigmoid layer
    message = _error(tmp_path, LINES[:cut])
    assert f"after line {cut}" in message and "bias b0 of H's layer 1" in message
    assert "truncated" in message


def test_element_without_pot_block(tmp_path):
    message = _error(tmp_path, ["ELEM_LIST O H C"] + LINES[1:])
    assert "no POT block for C" in message and "missing" in message


# (line of the fixture, what replaces it, what the message says)
BROKEN_LINES = {
    "short-weights": ("w1 -0.4 0.6 0.2", "w1 -0.4 0.6", "expected 3 numbers"),
    "function-type": (
        "5 3.5 0.05 1.0 1.0 H H",
        "3 3.5 0.05 1.0 1.0 H H",
        "unknown symmetry function type 3",
    ),
    "unlisted-neighbour": ("2 4.0 0.8 0.0 0.0 O", "2 4.0 0.8 0.0 0.0 Cl", "Cl is not in ELEM_LIST"),
    "lambda": ("4 4.0 0.1 2.0 -1.0 H H", "4 4.0 0.1 2.0 0.5 H H", "lambda = 1 or -1"),
    "activation": ("LAYER 0 tanh", "LAYER 0 softsign", "unknown activation 'softsign'"),
    "output-activation": ("LAYER 1 linear", "LAYER 1 tanh", "output layer is linear"),
    "mixed-activations": ("LAYER 0 linear PCA", "LAYER 0 tanh", "one activation for all hidden"),
    "non-numeric": ("scale2 2.0 0.5 0.25", "scale2 2.0 x 0.25", "'x'"),
}


@pytest.mark.parametrize(("line", "broken", "says"), BROKEN_LINES.values(), ids=BROKEN_LINES)
def test_broken_line_is_named(tmp_path, line, broken, says):
    number = _line_of(line)
    message = _error(tmp_path, _replace(number, broken))
    assert f", line {number}: " in message and says in message


def test_pot_block_of_an_unlisted_element(tmp_path):
    message = _error(tmp_path, ["ELEM_LIST O"] + LINES[1:])
    assert "neighbour element H is not in ELEM_LIST" in message


def test_function_beyond_the_pot_cutoff(tmp_path):
    message = _error(tmp_path, _replace(_line_of("POT O 4.0"), "POT O 3.0"))
    assert "exceeds the POT cutoff 3" in message


def test_missing_file(tmp_path):
    with pytest.raises(MlpotError, match="no such SIMPLE-NN potential file"):
        read_potential("simple-nn", tmp_path / "absent")


def _model(sf, cutoff_function=None, activation="tanh"):
    sfset = SymmetryFunctionSet(
        ("Si",),
        {"Si": (RadialG2("Si", "Si", 0.5, 0.0, 5.0), sf)},
        cutoff_function or CutoffFunction(),
    )
    return NeuralNetworkPotential(sfset, {"Si": NetworkSpec((3,), activation)})


ANGULAR = AngularG4("Si", ("Si", "Si"), 0.1, 1.0, 2.0, 5.0)


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (_model(AngularG4("Si", ("Si", "Si"), 0.1, 1.0, 2.0, 5.0, rs=1.0)), "r_s = 1"),
        (_model(ANGULAR, CutoffFunction("poly2", 0.0)), "'poly2' cutoff"),
        (_model(ANGULAR, CutoffFunction("cos", 0.2)), "alpha 0.2"),
        (_model(ANGULAR, activation="softplus"), "activation 'softplus'"),
        (
            _model(AngularG5Mixed("Si", ("Si", "Si"), 0.1, 1.0, 2.0, 5.0, rs=0.0, rs2=2.0)),
            "two shells",
        ),
    ],
    ids=["angular-rs", "cutoff-kind", "inner-cutoff", "activation", "two-shells"],
)
def test_models_simple_nn_cannot_hold_are_refused(model, reason, tmp_path):
    with pytest.raises(MlpotError, match="cannot write") as info:
        write_potential("simple-nn", model, tmp_path / "potential_saved")
    assert reason in str(info.value)
    assert not (tmp_path / "potential_saved").exists()
