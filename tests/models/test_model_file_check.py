"""Files given as a model that are not one: each gets a message saying what it is."""

from __future__ import annotations

import pytest
from ase.build import bulk
from ase.io import write
from physics_helpers import make_model

from mlpot.errors import MlpotError
from mlpot.models.serialization import load_model, save_model

SIMPLE_NN = "tests/fixtures/simple_nn/potential_saved_OH"


def test_a_structure_file(tmp_path):
    path = tmp_path / "start.xyz"
    write(path, bulk("Cu"))
    with pytest.raises(MlpotError, match="start.xyz: not an mlpot model file: it looks like a "
                       "structure file"):
        load_model(path)


def test_a_truncated_model_file(tmp_path):
    path = tmp_path / "model.pt"
    save_model(make_model(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MlpotError, match="model.pt: the model file is incomplete"):
        load_model(path)


def test_a_simple_nn_potential():
    with pytest.raises(MlpotError, match="it is a SIMPLE-NN potential; import it first with "
                       "`mlpot import .*potential_saved_OH model.pt --format simple-nn`"):
        load_model(SIMPLE_NN)


def test_an_empty_file(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"")
    with pytest.raises(MlpotError, match="the file is empty"):
        load_model(tmp_path / "model.pt")


def test_a_model_file_loads(tmp_path):
    save_model(make_model(), tmp_path / "model.pt")
    assert load_model(tmp_path / "model.pt").elements == make_model().elements
