"""The training configuration: `TrainConfig` and its model and training sections.

Plain data validated at the boundary; the train command builds typed objects from it.
Units: Å for lengths, eV for energies, 1/Å^2 for symmetry-function widths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator, model_validator

from mlpot.config.errors import KeyPath, KeyProblems
from mlpot.config.fields import (
    PER_ELEMENT,
    ConfigPath,
    ElementSymbol,
    NonNegative,
    PerElement,
    Positive,
    PositiveInt,
)
from mlpot.config.sections import DataConfig, DescriptorsConfig, Section
from mlpot.config.symmetry_lines import parse_symmetry_line

Activation = Literal["tanh", "softplus", "silu", "shifted_softplus", "gaussian", "linear"]

ReferenceEnergies = Annotated[
    Annotated[Literal["fit"], Tag("fit")] | Annotated[dict[ElementSymbol, float], Tag(PER_ELEMENT)],
    Discriminator(lambda value: PER_ELEMENT if isinstance(value, Mapping) else "fit"),
]


class ModelConfig(Section):
    """Per-element atomic networks.

    hidden:            hidden layer widths, for all elements or per element
    activation:        hidden-layer activation, for all elements or per element
    scaling:           descriptor scaling fitted on the training set
    pca:               PCA-whiten the (scaled) descriptors
    reference_energies: "fit" (least squares on the training set) or element -> eV
    """

    hidden: PerElement[list[PositiveInt]] = Field(default_factory=lambda: [24, 24])
    activation: PerElement[Activation] = "tanh"
    scaling: Literal["minmax", "meanstd", "none"] = "minmax"
    pca: bool = False
    reference_energies: ReferenceEnergies = "fit"


class OptimizerConfig(Section):
    name: Literal["adam", "adamw"] = "adam"
    lr: Positive = 1e-3
    weight_decay: NonNegative = 0.0


class PlateauSchedule(Section):
    """Multiply the learning rate by `factor` after `patience` epochs without improvement."""

    name: Literal["plateau"] = "plateau"
    factor: float = Field(0.5, gt=0, lt=1)
    patience: int = Field(10, ge=0)
    min_lr: NonNegative = 1e-6


class ExponentialSchedule(Section):
    """Multiply the learning rate by `gamma` every epoch."""

    name: Literal["exponential"]
    gamma: float = Field(0.99, gt=0, le=1)


class ConstantSchedule(Section):
    """Keep the learning rate fixed."""

    name: Literal["none"]


def _schedule_name(value: Any) -> str | None:
    name = (
        value.get("name", "plateau") if isinstance(value, Mapping) else getattr(value, "name", None)
    )
    return None if name is None else str(name)


Schedule = Annotated[
    Annotated[PlateauSchedule, Tag("plateau")]
    | Annotated[ExponentialSchedule, Tag("exponential")]
    | Annotated[ConstantSchedule, Tag("none")],
    Discriminator(_schedule_name),
]


class LossWeights(Section):
    """Loss coefficients: energy (per atom), forces and stress terms."""

    energy: NonNegative = 1.0
    forces: NonNegative = 0.1
    stress: NonNegative = 0.0

    @model_validator(mode="after")
    def _something_to_fit(self) -> LossWeights:
        if self.energy == self.forces == self.stress == 0:
            raise ValueError("all loss coefficients are 0; make at least one positive")
        return self


class EarlyStopping(Section):
    """Stop after `patience` epochs in which the validation loss fell by less than min_delta."""

    patience: PositiveInt = 50
    min_delta: NonNegative = 0.0


_DEVICE = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


def _check_device(device: str) -> str:
    if _DEVICE.match(device) is None:
        raise ValueError(f"'{device}' is not a device; use cpu, cuda, cuda:N or mps")
    return device


class TrainingConfig(Section):
    """The optimisation loop; batch_size counts structures, checkpoint_every counts epochs."""

    epochs: PositiveInt = 200
    batch_size: PositiveInt = 8
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    schedule: Schedule = Field(default_factory=PlateauSchedule)
    loss: LossWeights = Field(default_factory=LossWeights)
    early_stopping: EarlyStopping | None = Field(default_factory=EarlyStopping)
    dtype: Literal["float64", "float32"] = "float64"
    seed: int = Field(0, ge=0)
    device: Annotated[str, AfterValidator(_check_device)] = "cpu"
    checkpoint_every: PositiveInt = 1


class TrainConfig(Section):
    """Everything `mlpot train` needs. `elements` None: inferred from the training data."""

    output: ConfigPath = Field(Path("mlpot-run"), validate_default=True)
    elements: Annotated[list[ElementSymbol], Field(min_length=1)] | None = None
    data: DataConfig
    descriptors: DescriptorsConfig = Field(default_factory=DescriptorsConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)

    @field_validator("elements")
    @classmethod
    def _unique(cls, elements: list[str] | None) -> list[str] | None:
        repeated = sorted({e for e in elements or [] if (elements or []).count(e) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return elements

    @model_validator(mode="after")
    def _elements_covered(self) -> TrainConfig:
        if self.elements is not None:
            problems = _per_element_problems(self) + _symmetry_line_problems(self)
            if problems:
                raise KeyProblems(problems)
        return self


def _per_element_problems(config: TrainConfig) -> list[tuple[KeyPath, str]]:
    """Mappings element -> value must name exactly the listed elements."""
    elements = config.elements or []
    listed = ", ".join(elements)
    problems = []
    for key in ("hidden", "activation", "reference_energies"):
        value = getattr(config.model, key)
        if not isinstance(value, Mapping):
            continue
        for element in value:
            if element not in elements:
                message = f"{element} is not in elements ({listed}); remove it or list it there"
                problems.append((("model", key, element), message))
        missing = [element for element in elements if element not in value]
        if missing:
            message = f"no value for {', '.join(missing)}; give one for each of {listed}"
            problems.append((("model", key), message))
    return problems


def _symmetry_line_problems(config: TrainConfig) -> list[tuple[KeyPath, str]]:
    """Explicit symmetry functions may use only the listed elements, and cover each."""
    lines = config.descriptors.symmetry_functions or []
    elements = config.elements or []
    problems: list[tuple[KeyPath, str]] = []
    centres = set()
    for index, line in enumerate(lines):
        parsed = parse_symmetry_line(line)
        centres.add(parsed.centre)
        unknown = sorted({parsed.centre, *parsed.neighbours} - set(elements))
        if unknown:
            message = f"'{line}' uses {', '.join(unknown)}, not in elements ({', '.join(elements)})"
            problems.append((("descriptors", "symmetry_functions", index), message))
    bare = [element for element in elements if element not in centres]
    if lines and bare:
        message = f"no symmetry function is centred on {', '.join(bare)}; add lines for it"
        problems.append((("descriptors", "symmetry_functions"), message))
    return problems
