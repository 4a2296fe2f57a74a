"""SIMPLE-NN input.yaml -> mlpot training configuration, and `mlpot import-config`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from ase.units import GPa

from mlpot.cli import main as cli
from mlpot.config import load_config
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.interop.simple_nn import convert_input_yaml, import_config, read_params
from mlpot.interop.simple_nn.functions import CUTOFF_FUNCTION
from mlpot.interop.simple_nn.input_training import KBAR_PER_GPA

FIXTURES = Path(__file__).parents[1] / "fixtures" / "simple_nn"


def test_simple_nn_2_input_maps_onto_the_config(tmp_path):
    config, warnings = convert_input_yaml(FIXTURES / "input.yaml", tmp_path)
    assert config["elements"] == ["Si", "O"]
    assert Path(config["data"]["train"]) == FIXTURES.resolve() / "structure_list"
    assert config["data"]["validation"] == 0.2 and config["data"]["require_forces"] is True
    assert config["model"] == {
        "hidden": [40, 20],
        "activation": "tanh",
        "scaling": "meanstd",
        "pca": True,
    }
    training = config["training"]
    assert (training["epochs"], training["batch_size"], training["seed"]) == (300, 16, 123)
    assert training["optimizer"] == {"name": "adam", "lr": 0.001, "weight_decay": 1e-5}
    assert training["schedule"] == {"name": "exponential", "gamma": 0.99}
    assert training["loss"] == {"energy": 1.0, "forces": 0.2, "stress": pytest.approx(1e-3)}
    assert training["early_stopping"] is None and training["dtype"] == "float64"
    ignored = {w.split("'")[1] for w in warnings}
    assert ignored == {
        "generate_features",
        "preprocess",
        "train_model",
        "data.refdata_format",
        "data.compress_outcar",
        "neural_network.weight_initializer",
        "neural_network.show_interval",
    }


def test_written_config_loads_and_has_the_params_functions(tmp_path):
    out = tmp_path / "run" / "config.yaml"
    import_config(FIXTURES / "input.yaml", out)
    config = load_config(out)
    assert config.data.train.resolve() == FIXTURES.resolve() / "structure_list"
    sfset = SymmetryFunctionSet.from_n2p2_lines(
        list(config.descriptors.symmetry_functions), config.elements, CUTOFF_FUNCTION
    )
    for element in ("Si", "O"):
        expected = read_params(FIXTURES / f"params_{element}", ["Si", "O"])
        assert list(sfset.functions[element]) == expected
    assert config.descriptors.cutoff == 6.0 and config.descriptors.cutoff_function == "cos"


def test_stress_coefficient_converts_kbar_to_gpa():
    """SIMPLE-NN's term c (dS in kbar)^2 equals mlpot's c * 100 (dS in GPa)^2."""
    error = np.random.default_rng(0).normal(scale=0.01, size=6)  # eV/Å^3
    c = 3e-6
    simple_nn_term = c * np.mean((error / GPa * KBAR_PER_GPA) ** 2)
    mlpot_term = c * KBAR_PER_GPA**2 * np.mean((error / GPa) ** 2)
    assert mlpot_term == pytest.approx(simple_nn_term, rel=1e-12)


SIMPLE_NN_1 = """
generate_features: false
atom_types: [Si, O]
symmetry_function:
  params: {Si: params_Si, O: params_O}
  valid_rate: 0.15
  scale_type: uniform_gas
  atomic_weights: {type: gdf, params: {sigma: {Si: 0.1, O: 0.2}}}
neural_network:
  nodes: {Si: 30-30, O: 20}
  acti_func: swish
  method: Adam
  batch_size: 10
  total_iteration: 2000
  learning_rate: {learning_rate: 0.01, decay_steps: 100, decay_rate: 0.5}
  regularization: {type: l2, params: {coeff: 1.0e-6}}
  use_stress: false
  force_coeff: 0.5
  E_loss: 2
  pca: true
"""


def _simple_nn_1(tmp_path: Path) -> Path:
    for name in ("params_Si", "params_O"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    path = tmp_path / "input.yaml"
    path.write_text(SIMPLE_NN_1)
    return path


def test_simple_nn_1_counts_iterations_and_per_element_nodes(tmp_path):
    config, warnings = convert_input_yaml(_simple_nn_1(tmp_path), tmp_path, n_train=45)
    assert config["data"]["train"] == "str_list" and config["data"]["validation"] == 0.15
    assert config["model"]["hidden"] == {"Si": [30, 30], "O": [20]}
    assert config["model"]["activation"] == "silu" and config["model"]["pca"] is True
    assert config["model"]["scaling"] == "minmax"
    training = config["training"]
    assert training["epochs"] == 400  # 2000 batches of 10, 5 batches per epoch of 45
    assert training["schedule"]["gamma"] == pytest.approx(0.5 ** (5 / 100))
    assert training["optimizer"]["weight_decay"] == pytest.approx(2e-6)
    assert training["loss"] == {"energy": 1.0, "forces": 0.5, "stress": 0.0}
    text = "\n".join(warnings)
    for key in (
        "symmetry_function.scale_type",
        "neural_network.E_loss",
        "generate_features",
        "symmetry_function.atomic_weights",
    ):
        assert f"'{key}'" in text


def test_simple_nn_1_without_structure_count_keeps_mlpot_epochs(tmp_path):
    config, warnings = convert_input_yaml(_simple_nn_1(tmp_path), tmp_path)
    assert "epochs" not in config["training"]
    assert config["training"]["schedule"] == {"name": "none"}
    assert any("'neural_network.total_iteration' counts batches" in w for w in warnings)


def test_unknown_activation_and_missing_params_file(tmp_path):
    path = _simple_nn_1(tmp_path)
    path.write_text(SIMPLE_NN_1.replace("acti_func: swish", "acti_func: elu"))
    with pytest.raises(MlpotError, match="'neural_network.acti_func' 'elu' is not one of"):
        convert_input_yaml(path)
    (tmp_path / "params_O").unlink()
    path.write_text(SIMPLE_NN_1)
    with pytest.raises(MlpotError, match="params_O: no such SIMPLE-NN params file"):
        convert_input_yaml(path)


def test_invalid_result_is_reported(tmp_path):
    path = _simple_nn_1(tmp_path)
    path.write_text(SIMPLE_NN_1.replace("valid_rate: 0.15", "valid_rate: 1.0"))
    with pytest.raises(MlpotError, match="data.validation"):
        convert_input_yaml(path)


def test_cli_writes_the_config_and_prints_warnings(tmp_path, capsys):
    out = tmp_path / "config.yaml"
    assert cli.main(["import-config", str(FIXTURES / "input.yaml"), str(out)]) == 0
    captured = capsys.readouterr()
    assert f"wrote {out}" in captured.out
    assert captured.err.count("warning: ") == 7
    assert yaml.safe_load(out.read_text())["model"]["activation"] == "tanh"


def test_cli_reports_a_bad_input_in_one_line(tmp_path, capsys):
    path = tmp_path / "input.yaml"
    path.write_text("params: [Si]\n")
    assert cli.main(["import-config", str(path), str(tmp_path / "c.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlpot import-config: error:") and "'params' must map" in err
    assert "\n" not in err and not (tmp_path / "c.yaml").exists()
