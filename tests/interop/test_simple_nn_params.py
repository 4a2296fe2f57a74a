"""SIMPLE-NN params files: columns in SIMPLE-NN's order onto mlpot's functions, and back."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpot.descriptors.symmetry_functions import AngularG4, AngularG5, RadialG2
from mlpot.errors import MlpotError
from mlpot.interop.simple_nn import read_params, write_params

FIXTURES = Path(__file__).parents[1] / "fixtures" / "simple_nn"
ATOM_TYPES = ["Si", "O"]


def test_columns_map_onto_mlpot_functions():
    functions = read_params(FIXTURES / "params_Si", ATOM_TYPES)
    assert functions == [
        RadialG2("Si", "Si", 0.003214, 0.0, 6.0),
        RadialG2("Si", "O", 0.035711, 0.0, 6.0),
        RadialG2("Si", "Si", 0.5, 1.8, 4.5),  # column 6 is R_s for G2
        AngularG4("Si", ("Si", "Si"), 0.000357, -1.0, 1.0, 6.0),
        AngularG4("Si", ("O", "Si"), 0.028569, 1.0, 2.0, 6.0),  # zeta 2, lambda 1
        AngularG5("Si", ("O", "O"), 0.089277, -1.0, 4.0, 5.0),  # zeta 4, lambda -1
    ]


def test_centre_element_from_the_name_or_given(tmp_path):
    assert read_params(FIXTURES / "params_O", ATOM_TYPES)[0].center == "O"
    other = tmp_path / "sf_oxygen"
    other.write_text((FIXTURES / "params_O").read_text())
    assert read_params(other, ATOM_TYPES, center="O") == read_params(
        FIXTURES / "params_O", ATOM_TYPES
    )
    with pytest.raises(MlpotError, match="params_X"):
        read_params(other, ATOM_TYPES)


def test_write_then_read_gives_the_same_functions(tmp_path):
    functions = read_params(FIXTURES / "params_Si", ATOM_TYPES)
    path = write_params(functions, ATOM_TYPES, tmp_path / "params_Si")
    assert read_params(path, ATOM_TYPES) == functions
    assert path.read_text().splitlines()[4] == "4 1 2 6.0 0.028569 2.0 1.0"


def test_write_refuses_what_simple_nn_lacks(tmp_path):
    with pytest.raises(MlpotError, match="r_s"):
        write_params(
            [AngularG5("Si", ("Si", "Si"), 0.1, 1.0, 1.0, 5.0, rs=0.5)],
            ATOM_TYPES,
            tmp_path / "params_Si",
        )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2 1 0 6.0 0.003214 0.0", "expected 7 columns"),
        ("3 1 1 6.0 0.1 1.0 1.0", "unknown symmetry function type 3"),
        ("2 3 0 6.0 0.1 0.0 0.0", "atom type 1 is 3, but atom_types lists 2"),
        ("4 1 0 6.0 0.1 1.0 1.0", "atom type 2 is 0"),
        ("4 1 1 6.0 0.1 0.5 1.0", "zeta 0.5"),
        ("2 1 0 6.0 abc 0.0 0.0", "'abc'"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "params_Si"
    path.write_text("2 1 0 6.0 0.003214 0.0 0.0\n\n" + line + "\n")
    with pytest.raises(MlpotError) as info:
        read_params(path, ATOM_TYPES)
    assert f"{path}, line 3: " in str(info.value) and message in str(info.value)
