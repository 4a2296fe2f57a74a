"""SIMPLE-NN input.yaml -> an mlpot training configuration.

Both layouts are read: SIMPLE-NN 2 (top-level `params`, sections `data` or `descriptor`,
`preprocessing`, `neural_network`) and SIMPLE-NN 1 (`atom_types`, `symmetry_function`,
`neural_network`); absent keys take SIMPLE-NN's defaults of that layout. Relative paths are
relative to the directory of input.yaml, where SIMPLE-NN runs.

Conversions: SIMPLE-NN's stress loss is in kbar^2, mlpot's in GPa^2, so the stress coefficient
is multiplied by 100; an L2 coefficient c on the weights (SIMPLE-NN 1) is Adam's
weight_decay 2c. SIMPLE-NN 1 counts iterations (batches), mlpot epochs: the number of training
structures (`n_train`) converts one into the other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mlpot.errors import MlpotError
from mlpot.interop.simple_nn.activations import TO_MLPOT
from mlpot.interop.simple_nn.input_keys import InputKeys
from mlpot.interop.simple_nn.input_training import training_section
from mlpot.interop.simple_nn.params import read_params

NN = "neural_network"


def convert_input_yaml(
    path: str | Path, config_dir: str | Path | None = None, n_train: int | None = None
) -> tuple[dict, list[str]]:
    """(mlpot configuration as a dict, warnings) for the SIMPLE-NN input.yaml at `path`.

    Paths in the configuration are relative to `config_dir` (where it will be written) when
    they lie below it, else absolute. Raises MlpotError when the result would not be a valid
    configuration, naming what to fix.
    """
    from mlpot.config.source import read_yaml

    path = Path(path)
    keys = InputKeys(read_yaml(path).data, path)
    version = 1 if "symmetry_function" in keys.data else 2
    here = path.absolute().parent
    elements, params = _elements_and_params(keys, version)
    functions = [
        sf for e in elements for sf in read_params(_path(here, params[e]), elements, center=e)
    ]
    config = {
        "elements": elements,
        "data": _data_section(keys, version, here, config_dir),
        "descriptors": {
            "cutoff": max(sf.cutoff for sf in functions),
            "cutoff_function": "cos",
            "symmetry_functions": [sf.n2p2_line() for sf in functions],
        },
        "model": _model_section(keys, version, elements),
        "training": training_section(keys, version, n_train),
    }
    seed = keys.get(("random_seed",))
    if seed is not None:
        config["training"]["seed"] = seed
    _validate(config, path, config_dir)
    return config, keys.warnings()


def import_config(
    input_path: str | Path, config_path: str | Path, n_train: int | None = None
) -> list[str]:
    """Convert input.yaml to an mlpot configuration file (written atomically); the warnings."""
    import yaml

    from mlpot.interop.simple_nn.textfiles import write_atomically

    config_path = Path(config_path)
    config, warnings = convert_input_yaml(input_path, config_path.absolute().parent, n_train)
    header = f"# mlpot training configuration converted from SIMPLE-NN's {input_path}\n"
    write_atomically(config_path, header + yaml.safe_dump(config, sort_keys=False))
    return warnings


def _elements_and_params(keys: InputKeys, version: int) -> tuple[list[str], dict]:
    where = ("params",) if version == 2 else ("symmetry_function", "params")
    params = keys.get(where)
    if not isinstance(params, dict) or not params:
        raise keys.fail(where, "must map each element to its params file (Si: params_Si)")
    elements = keys.get(("atom_types",), default=list(params))
    if not isinstance(elements, list) or sorted(map(str, elements)) != sorted(params):
        raise keys.fail(("atom_types",), f"must list the elements of params ({', '.join(params)})")
    return [str(e) for e in elements], params


def _data_section(keys: InputKeys, version: int, here: Path, config_dir) -> dict:
    default_list = "./str_list" if version == 1 else "./structure_list"
    struct_list = keys.get(
        ("data", "struct_list"), ("descriptor", "struct_list"), default=default_list
    )
    read_force = keys.get(("data", "read_force"), ("descriptor", "read_force"), default=True)
    use_force = keys.get((NN, "use_force"), default=True)
    valid_rate = keys.get(
        ("preprocessing", "valid_rate"), ("symmetry_function", "valid_rate"), default=0.1
    )
    return {
        "train": _relative(_path(here, struct_list), config_dir),
        "validation": float(valid_rate),
        "require_forces": bool(read_force and use_force),
    }


def _model_section(keys: InputKeys, version: int, elements: list[str]) -> dict:
    nodes = keys.get((NN, "nodes"), default="30-30")
    if isinstance(nodes, dict):
        hidden: Any = {e: _widths(keys, nodes.get(e)) for e in elements}
    else:
        hidden = _widths(keys, nodes)
    acti = keys.get((NN, "acti_func"), default="sigmoid")
    if acti not in TO_MLPOT:
        raise keys.fail((NN, "acti_func"), f"'{acti}' is not one of {', '.join(TO_MLPOT)}")
    return {
        "hidden": hidden,
        "activation": TO_MLPOT[acti],
        "scaling": _scaling(keys),
        "pca": _pca(keys, version),
    }


def _widths(keys: InputKeys, nodes: Any) -> list[int]:
    try:
        widths = [int(n) for n in str(nodes).split("-")]
    except ValueError:
        widths = []
    if not widths or min(widths) < 1:
        raise keys.fail((NN, "nodes"), f"'{nodes}' is not hidden-layer widths like 30-30")
    return widths


def _scaling(keys: InputKeys) -> str:
    use = keys.get((NN, "use_scale"), default=True)
    kind_at = (("preprocessing", "scale_type"), ("symmetry_function", "scale_type"))
    kind = keys.get(*kind_at, default="minmax")
    if keys.get(("preprocessing", "calc_scale"), default=True) is False:
        keys.note(("preprocessing", "calc_scale"), "is false: mlpot fits the scaling anyway")
    if not use:
        return "none"
    if kind not in ("minmax", "meanstd"):
        keys.note(keys.where(*kind_at), f"'{kind}' has no mlpot equivalent; minmax is used")
        return "minmax"
    return kind


def _pca(keys: InputKeys, version: int) -> bool:
    use = keys.get((NN, "use_pca"), (NN, "pca"), default=version == 2)
    whiten_at = (("preprocessing", "pca_whiten"), (NN, "pca_whiten"))
    if keys.get(*whiten_at, default=True) is False:
        keys.note(keys.where(*whiten_at), "is false: mlpot's PCA always whitens")
    if keys.get(("preprocessing", "calc_pca"), default=True) is False and use:
        keys.note(("preprocessing", "calc_pca"), "is false: mlpot fits the PCA anyway")
    return bool(use)


def _path(here: Path, value: Any) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else here / path


def _relative(path: Path, config_dir) -> str:
    """`path` relative to the configuration's directory where it lies below it, else absolute."""
    path = Path(os.path.abspath(path))
    if config_dir is not None and path.is_relative_to(Path(config_dir).absolute()):
        return str(path.relative_to(Path(config_dir).absolute()))
    return str(path)


def _validate(config: dict, path: Path, config_dir) -> None:
    from pydantic import ValidationError

    from mlpot.config import TrainConfig

    context = {"base_dir": Path(config_dir or path.parent).absolute()}
    try:
        TrainConfig.model_validate(config, context=context)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise MlpotError(f"{path}: the converted configuration is not valid: {problems}") from None
