"""Read and validate a training configuration file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from mlpot.config.errors import ConfigError
from mlpot.config.report import problems_from
from mlpot.config.schema import TrainConfig
from mlpot.config.source import read_yaml

S = TypeVar("S", bound=BaseModel)


def load_config(path: str | os.PathLike[str]) -> TrainConfig:
    """Read the YAML file at `path` as a TrainConfig.

    Relative paths in it are resolved against the directory of `path`. Raises ConfigError
    listing every problem found (file, line, dotted key, what is wrong), for a missing or
    empty file and for YAML syntax errors too.
    """
    return load_section(path, TrainConfig)


def load_section(path: str | os.PathLike[str], section: type[S]) -> S:
    """Read the YAML file at `path` as a `section` (a configuration model); relative paths
    are resolved against its directory. Raises ConfigError listing every problem."""
    path = Path(path)
    document = read_yaml(path)
    context = {"base_dir": path.absolute().parent}
    try:
        return section.model_validate(document.data, context=context)
    except ValidationError as exc:
        raise ConfigError(problems_from(exc, section, document)) from None
