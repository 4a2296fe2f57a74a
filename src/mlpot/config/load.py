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

SectionT = TypeVar("SectionT", bound=BaseModel)


def load_config(path: str | os.PathLike[str]) -> TrainConfig:
    """Read the YAML file at `path` as a TrainConfig.

    Relative paths in it are resolved against the directory of `path`. Raises ConfigError
    listing every problem found (file, line, dotted key, what is wrong), for a missing or
    empty file and for YAML syntax errors too.
    """
    return load_section(path, TrainConfig)


def load_section(path: str | os.PathLike[str], section: type[SectionT]) -> SectionT:
    """Read the YAML file at `path` as the configuration `section` (a pydantic model), with
    relative paths resolved against its directory; ConfigError as load_config raises it."""
    path = Path(path)
    document = read_yaml(path)
    context = {"base_dir": path.absolute().parent}
    try:
        return section.model_validate(document.data, context=context)
    except ValidationError as exc:
        raise ConfigError(problems_from(exc, section, document)) from None
