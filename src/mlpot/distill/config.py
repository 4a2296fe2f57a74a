"""The distillation configuration (`mlpot distill config.yaml`), validated when it is loaded.

Units as in the active-learning configuration: K, GPa, fs, Å. The descriptors, model and
training sections are those of `mlpot train` (the distilled model's recipe).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field

from mlpot.active.config import ExecutorConfig, ExploreConfig, OracleConfig
from mlpot.config.fields import ConfigPath, ElementSymbol, NonNegative, PositiveInt
from mlpot.config.schema import ModelConfig, ModelSection, TrainingConfig
from mlpot.config.sections import DescriptorsConfig, FileSpec, Section


class TeacherConfig(OracleConfig):
    """The model to distil: an ASE calculator name (emt), a universal model (sevennet-0,
    chgnet, a SevenNet/CHGNet/MACE file), an mlpot model file, or a factory
    "module:function"; kwargs go to it. A relative file path is read from the configuration's
    directory."""


class DistillExploreConfig(ExploreConfig):
    """MD driven by the teacher over structure x composition x strain x temperature (x
    pressure: NPT), and normal modes of the teacher's Hessian (active learning's samplers).

    starts: how many of the structures the MD runs and normal modes start from, picked
            farthest-point on descriptor summaries (None: all of them)
    include_structures: the given structures are candidates for labelling too
    """

    starts: PositiveInt | None = None
    include_structures: bool = True


class DistillSelectConfig(Section):
    """Which explored structures the teacher labels: farthest-point sampling on descriptor
    summaries up to `budget` labels (no two closer than min_distance); a `holdout` fraction
    of the labelled ones (at least one) is kept out of training to score the distilled model."""

    budget: int = Field(ge=2)  # one held out, at least one to train on
    holdout: float = Field(0.1, gt=0, lt=1)
    min_distance: NonNegative = 0.0
    seed: int = Field(0, ge=0)


class DftConfig(Section):
    """DFT data to judge teacher and distilled model on: `test` frames (energy, forces), and
    `offsets_from` frames to fit each model's per-element energy offsets on, as
    `mlpot evaluate --offsets-from` does (empty: the models' own energies)."""

    test: list[FileSpec] = Field(min_length=1)
    offsets_from: list[FileSpec] = Field(default_factory=list)


class DistillConfig(Section):
    """Everything `mlpot distill` needs.

    output:     directory of state.json, the explored, labelled and held-out structures, the
                distilled model (model/model.pt) and report.json
    structures: the structures exploration starts from (any file ASE reads; no labels needed)
    validation: fraction of the training structures held out for early stopping
    """

    output: ConfigPath = Field(Path("mlpot-distill"), validate_default=True)
    elements: Annotated[list[ElementSymbol], Field(min_length=1)] | None = None
    teacher: TeacherConfig
    structures: list[FileSpec] = Field(min_length=1)
    explore: DistillExploreConfig
    select: DistillSelectConfig
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)
    dft: DftConfig | None = None
    validation: float = Field(0.1, ge=0, lt=1)
    descriptors: DescriptorsConfig = Field(default_factory=DescriptorsConfig)
    model: ModelSection = Field(default_factory=ModelConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)


def load_distill_config(path: str | os.PathLike[str]) -> DistillConfig:
    """Read the YAML file at `path` as a DistillConfig; relative paths are resolved against
    its directory. Raises ConfigError listing every problem (file, line, key, what is wrong)."""
    from mlpot.config.load import load_section

    return load_section(path, DistillConfig)
