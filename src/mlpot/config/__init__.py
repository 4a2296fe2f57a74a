"""The training configuration (`mlpot train config.yaml`), validated when it is loaded.

`load_config("config.yaml")` returns a TrainConfig, plain typed data such as
`config.training.optimizer.lr`, or raises one ConfigError listing every problem found.
`per_element(config.model.hidden, ["Si", "O"])` expands a per-element value.
"""

from mlpot.config.errors import ConfigError, ConfigProblem
from mlpot.config.fields import per_element
from mlpot.config.load import load_config
from mlpot.config.schema import (
    ConstantSchedule,
    CosineSchedule,
    EarlyStopping,
    ExponentialSchedule,
    GdfWeighting,
    KalmanConfig,
    LossWeights,
    ModelConfig,
    OptimizerConfig,
    PlateauSchedule,
    TrainConfig,
    TrainingConfig,
)
from mlpot.config.sections import DataConfig, DescriptorsConfig, FileSpec, GroupConfig
from mlpot.config.symmetry_lines import parse_symmetry_line

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "ConstantSchedule",
    "CosineSchedule",
    "DataConfig",
    "DescriptorsConfig",
    "EarlyStopping",
    "ExponentialSchedule",
    "FileSpec",
    "GdfWeighting",
    "GroupConfig",
    "KalmanConfig",
    "LossWeights",
    "ModelConfig",
    "OptimizerConfig",
    "PlateauSchedule",
    "TrainConfig",
    "TrainingConfig",
    "load_config",
    "parse_symmetry_line",
    "per_element",
]
