"""The training configuration: `TrainConfig` and its model and training sections.

Plain data validated at the boundary; the train command builds typed objects from it.
Units: Å for lengths, eV for energies, 1/Å^2 for symmetry-function widths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator, model_validator

from mlpot.config.errors import KeyPath, KeyProblems
from mlpot.config.families import model_section_type, with_family_training_defaults
from mlpot.config.fields import (
    PER_ELEMENT,
    ConfigPath,
    ElementSymbol,
    NonNegative,
    PerElement,
    Positive,
    PositiveInt,
)
from mlpot.config.gap_section import GapConfig
from mlpot.config.sections import DataConfig, DescriptorsConfig, Section
from mlpot.config.symmetry_lines import parse_symmetry_line
from mlpot.descriptors.symmetry_functions import neighbour_elements

Activation = Literal[
    "tanh", "softplus", "silu", "shifted_softplus", "gaussian", "linear", "sigmoid", "relu", "selu"
]

ReferenceEnergies = Annotated[
    Annotated[Literal["fit"], Tag("fit")] | Annotated[dict[ElementSymbol, float], Tag(PER_ELEMENT)],
    Discriminator(lambda value: PER_ELEMENT if isinstance(value, Mapping) else "fit"),
]


class InteractionConfig(Section):
    """Messages from each atom's neighbours (mlpot.models.interaction).

    features: message width H
    radial:   Gaussians of the pair distance weighting the messages
    cutoff:   neighbours sending messages, Å (default: the descriptor cutoff; at most that)
    """

    features: PositiveInt = 8
    radial: PositiveInt = 8
    cutoff: Positive | None = None


class ModelConfig(Section):
    """Family "nnp": per-element atomic networks on the symmetry functions of `descriptors`.

    family:            the model family (mlpot.models.families); "nnp" by default
    hidden:            hidden layer widths, for all elements or per element
    activation:        hidden-layer activation, for all elements or per element
    scaling:           descriptor scaling fitted on the training set
    pca:               PCA-whiten the (scaled) descriptors
    pca_epsilon:       variance added to every principal component before whitening: caps the
                       amplification of directions the training set barely spans at
                       1/sqrt(pca_epsilon) (in units of the scaled descriptors)
    reference_energies: "fit" (least squares on the training set) or element -> eV
    interaction:       messages from neighbours' environments (not exportable to n2p2)
    """

    family: Literal["nnp"] = "nnp"
    hidden: PerElement[list[PositiveInt]] = Field(default_factory=lambda: [32, 32])
    activation: PerElement[Activation] = "shifted_softplus"
    scaling: Literal["minmax", "meanstd", "none"] = "minmax"
    pca: bool = True
    pca_epsilon: NonNegative = 1e-4
    reference_energies: ReferenceEnergies = "fit"
    interaction: InteractionConfig | None = None


class EquivariantConfig(Section):
    """Family "equivariant": E(3)-equivariant many-body message passing (MACE/NequIP design
    space; docs/equivariant.md). Needs the `equivariant` extra (e3nn).

    cutoff:        Å, of the neighbour graph (receptive field: interactions x cutoff)
    channels:      feature channels per irrep
    l_max:         largest degree of the spherical harmonics and many-body features
    hidden_l_max:  largest degree of the node features passed between layers (0: scalars)
    correlation:   body order of the node product (3: four-body features)
    interactions:  message-passing layers
    radial_basis, radial_hidden, envelope_p: Bessel functions, radial network widths and the
                   exponent of the polynomial cutoff envelope
    readout_hidden: width of the MLP energy readouts
    mlp_readouts:  "last" (the other layers' readouts linear, as MACE) or "all"
    reference_energies: "fit" (least squares on the training set) or element -> eV
    """

    # the family's training recipe where the config's training section sets none (measured:
    # BENCHMARKS.md, equivariant recipe)
    training_defaults: ClassVar[dict[str, Any]] = {
        "optimizer.lr": 0.01, "loss.forces": 1.0, "loss.final": {"energy": 10.0},
    }

    family: Literal["equivariant"]
    cutoff: Positive = 5.0
    channels: PositiveInt = 32
    l_max: int = Field(3, ge=0, le=4)
    hidden_l_max: int = Field(0, ge=0, le=4)
    correlation: int = Field(3, ge=1, le=4)
    interactions: int = Field(2, ge=1, le=3)
    radial_basis: PositiveInt = 8
    radial_hidden: list[PositiveInt] = Field(default_factory=lambda: [64, 64])
    envelope_p: int = Field(6, ge=2)
    readout_hidden: PositiveInt = 16
    mlp_readouts: Literal["last", "all"] = "last"
    reference_energies: ReferenceEnergies = "fit"


ModelSection = model_section_type([ModelConfig, EquivariantConfig, GapConfig])


class OptimizerConfig(Section):
    name: Literal["adam", "adamw"] = "adam"
    lr: Positive = 3e-3
    weight_decay: NonNegative = 0.0


class KalmanConfig(Section):
    """The global extended Kalman filter of n2p2 instead of a gradient optimiser (defaults:
    n2p2's). t counts epochs; see docs/kalman.md.

    variant:         "standard" (measurement noise 1/eta) or "fading_memory" (forgetting factor)
    epsilon:         initial covariance P = I / epsilon
    q0, q_tau, q_min:    process noise q = max(q0 exp(-q_tau t), q_min)
    eta0, eta_tau, eta_max: standard: eta = min(eta0 exp(eta_tau t), eta_max)
    lambda0, nu:     fading_memory: lambda starts at lambda0, then nu lambda + 1 - nu per update
    energy_fraction, force_fraction, stress_fraction: energies, force components and stresses
                     used per epoch, as fractions of those in the training set
    force_weight, stress_weight: force errors (eV/Å) and stress errors (GPa) are multiplied by
                     these, energy errors (eV/atom) by 1
    energy_batch, force_batch: energies / force components (of one structure) per update
    """

    name: Literal["kalman"]
    variant: Literal["standard", "fading_memory"] = "standard"
    epsilon: Positive = 0.01
    q0: NonNegative = 0.01
    q_tau: NonNegative = 2.302
    q_min: NonNegative = 1e-6
    eta0: Positive = 0.01
    eta_tau: NonNegative = 2.302
    eta_max: Positive = 1.0
    lambda0: float = Field(0.96, gt=0, le=1)
    nu: float = Field(0.9995, gt=0, le=1)
    energy_fraction: NonNegative = 1.0
    force_fraction: NonNegative = 0.02315
    stress_fraction: NonNegative = 0.0
    force_weight: Positive = 1.0
    stress_weight: Positive = 1.0
    energy_batch: PositiveInt = 1
    force_batch: PositiveInt = 1

    @model_validator(mode="after")
    def _consistent(self) -> KalmanConfig:
        problems: list[tuple[KeyPath, str]] = []
        if self.energy_fraction == self.force_fraction == self.stress_fraction == 0:
            message = "energy, force and stress fractions are all 0; make at least one positive"
            problems.append((("energy_fraction",), message))
        if self.eta_max < self.eta0:
            message = f"eta_max {self.eta_max} is below eta0 {self.eta0}; raise it to >= eta0"
            problems.append((("eta_max",), message))
        if problems:
            raise KeyProblems(problems)
        return self


def _optimizer_name(value: Any) -> str | None:
    name = value.get("name", "adam") if isinstance(value, Mapping) else getattr(value, "name", None)
    return None if name is None else str(name)


Optimizer = Annotated[
    Annotated[OptimizerConfig, Tag("adam")]
    | Annotated[OptimizerConfig, Tag("adamw")]
    | Annotated[KalmanConfig, Tag("kalman")],
    Discriminator(_optimizer_name),
]


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


class CosineSchedule(Section):
    """Lower the learning rate from optimizer.lr to min_lr along a half cosine over the
    training's epochs."""

    name: Literal["cosine"]
    min_lr: NonNegative = 1e-5


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
    | Annotated[CosineSchedule, Tag("cosine")]
    | Annotated[ConstantSchedule, Tag("none")],
    Discriminator(_schedule_name),
]


class FinalLossWeights(Section):
    """Loss coefficients for the last part of training, from the fraction `start` of the
    epochs on (a second, energy-weighted stage as in MACE); a coefficient left out keeps its
    value. The best model is chosen within this stage. reset_optimizer: the optimiser's
    moment estimates start afresh with the stage (Adam's running averages of the first
    stage's gradients would otherwise set the size of the new loss's first steps)."""

    start: float = Field(0.75, gt=0, lt=1)
    energy: NonNegative | None = None
    forces: NonNegative | None = None
    stress: NonNegative | None = None
    reset_optimizer: bool = False


class HuberWidths(Section):
    """Huber widths of the loss terms, in eV/atom, eV/Å and GPa: an error beyond its width
    counts linearly, not squared (null: squared throughout)."""

    energy: Positive | None = None
    forces: Positive | None = None
    stress: Positive | None = None


class LossWeights(Section):
    """Loss coefficients: energy (per atom), forces and stress terms, and atomic_energy for
    per-atom energy targets (used by atomic-energy ensembles; 0 ignores them); `final`
    changes them for the last part of training; `huber` makes large errors count linearly."""

    energy: NonNegative = 1.0
    forces: NonNegative = 0.03
    stress: NonNegative = 0.0003
    atomic_energy: NonNegative = 0.0
    final: FinalLossWeights | None = None
    huber: HuberWidths | None = None

    @model_validator(mode="after")
    def _something_to_fit(self) -> LossWeights:
        if self.energy == self.forces == self.stress == self.atomic_energy == 0:
            raise ValueError("all loss coefficients are 0; make at least one positive")
        return self


class GdfWeighting(Section):
    """Weight each atom's force error by its inverse Gaussian density in descriptor space
    (Jeong et al. 2018): sigma is the per-component width in min-max scaled descriptors,
    cap the largest weight relative to the mean."""

    sigma: float = Field(0.02, gt=0)
    cap: float = Field(10.0, ge=1)


class EarlyStopping(Section):
    """Stop after `patience` epochs in which the validation loss fell by less than min_delta."""

    patience: PositiveInt = 50
    min_delta: NonNegative = 0.0


_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def _check_device(device: str) -> str:
    if _DEVICE.match(device) is None:
        raise ValueError(f"'{device}' is not a device; use auto, cpu, cuda, cuda:N or mps")
    return device


AUTO_STEPS = 30_000
AUTO_FINE_TUNE_STEPS = 2_000  # a run continued from a model on new data (--init-model)
AUTO_EPOCHS = (100, 2_000)

Epochs = Annotated[
    Annotated[Literal["auto"], Tag("word 'auto'")] | Annotated[PositiveInt, Tag("number")],
    Discriminator(lambda value: "word 'auto'" if value == "auto" else "number"),
]


def auto_epochs(n_frames: int, batch_size: int, steps: int = AUTO_STEPS) -> int:
    """Epochs of about `steps` optimiser steps, within AUTO_EPOCHS."""
    batches = max(-(-n_frames // batch_size), 1)
    return min(max(round(steps / batches), AUTO_EPOCHS[0]), AUTO_EPOCHS[1])


class TrainingConfig(Section):
    """The optimisation loop; batch_size counts structures, checkpoint_every counts epochs.

    epochs "auto": about AUTO_STEPS optimiser steps (mini-batches), within AUTO_EPOCHS epochs,
    so that training time hardly depends on the size of the training set; AUTO_FINE_TUNE_STEPS
    when fine-tuning (`mlpot train --init-model`: a short run keeps what the model knew).
    group_balance p in [0, 1]: the weight of a structure of a kind with n of the N structures
    is multiplied by n^-p (scaled to a mean of 1): 0 leaves the weights as given, 1 gives every
    kind the same total weight. Kinds are the group labels the files carry (mlearn's group, an
    extxyz 'group'), else the config groups.
    ema_decay d: validate, select and save an exponential moving average of the weights,
    w_avg <- d w_avg + (1 - d) w after every optimiser step (null: the weights themselves;
    the Kalman filter always uses the weights themselves).
    select: which epoch's model is kept (mlpot.training.selection): lowest (validation loss),
    latest_within_se (the latest epoch within one standard error of the lowest), last.
    max_minutes: a wall-time budget for the epochs (validation included, data preparation
    not): after the second epoch the number of epochs is cut to what fits, after every tenth
    set again at the mean pace (at most the epochs asked for), and a cosine schedule is
    fitted to end there (null: no budget).
    """

    epochs: Epochs = "auto"
    batch_size: PositiveInt = 4
    optimizer: Optimizer = Field(default_factory=OptimizerConfig)
    schedule: Schedule = Field(default_factory=lambda: CosineSchedule(name="cosine"))
    loss: LossWeights = Field(default_factory=LossWeights)
    gdf: GdfWeighting | None = None
    group_balance: float = Field(0.0, ge=0, le=1)
    ema_decay: float | None = Field(0.999, gt=0, lt=1)
    early_stopping: EarlyStopping | None = None
    select: Literal["lowest", "latest_within_se", "last"] = "latest_within_se"
    max_minutes: Positive | None = None
    dtype: Literal["float64", "float32"] = "float64"
    seed: int = Field(0, ge=0)
    device: Annotated[str, AfterValidator(_check_device)] = "cpu"
    checkpoint_every: PositiveInt = 1

    @model_validator(mode="after")
    def _kalman_compatible(self) -> TrainingConfig:
        if self.optimizer.name != "kalman":
            return self
        problems = []
        if self.loss.final is not None:
            message = "the Kalman filter weighs errors by its own fractions; remove loss.final"
            problems.append((("loss", "final"), message))
        if self.loss.huber is not None:
            message = "the Kalman filter fits squared errors; remove loss.huber"
            problems.append((("loss", "huber"), message))
        if self.ema_decay is not None and "ema_decay" in self.model_fields_set:
            message = "a moving average of the weights needs adam or adamw; remove ema_decay"
            problems.append((("ema_decay",), message))
        if problems:
            raise KeyProblems(problems)
        self.ema_decay = None  # the default's average does not apply to the filter
        return self


class TrainConfig(Section):
    """Everything `mlpot train` needs. `elements` None: inferred from the training data."""

    output: ConfigPath = Field(Path("mlpot-run"), validate_default=True)
    elements: Annotated[list[ElementSymbol], Field(min_length=1)] | None = None
    data: DataConfig
    descriptors: DescriptorsConfig = Field(default_factory=DescriptorsConfig)
    model: ModelSection = Field(default_factory=ModelConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)

    @field_validator("elements")
    @classmethod
    def _unique(cls, elements: list[str] | None) -> list[str] | None:
        repeated = sorted({e for e in elements or [] if (elements or []).count(e) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return elements

    @model_validator(mode="after")
    def _family_training_defaults(self) -> TrainConfig:
        self.training = with_family_training_defaults(self.model, self.training)
        return self

    @model_validator(mode="after")
    def _elements_covered(self) -> TrainConfig:
        if self.elements is not None:
            problems = _per_element_problems(self) + _symmetry_line_problems(self)
            if problems:
                raise KeyProblems(problems)
        return self

    @model_validator(mode="after")
    def _interaction_trainable(self) -> TrainConfig:
        if not isinstance(self.model, ModelConfig):
            return self
        if self.model.interaction is not None and self.training.optimizer.name == "kalman":
            message = (
                "the Kalman filter trains networks on symmetry functions only; remove "
                "model.interaction or choose optimizer adam"
            )
            raise KeyProblems([(("model", "interaction"), message)])
        return self


def _per_element_problems(config: TrainConfig) -> list[tuple[KeyPath, str]]:
    """Mappings element -> value must name exactly the listed elements."""
    elements = config.elements or []
    listed = ", ".join(elements)
    problems = []
    if not isinstance(config.model, ModelConfig):
        return problems
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
        centres.add(parsed.center)
        unknown = sorted({parsed.center, *neighbour_elements(parsed)} - set(elements))
        if unknown:
            message = f"'{line}' uses {', '.join(unknown)}, not in elements ({', '.join(elements)})"
            problems.append((("descriptors", "symmetry_functions", index), message))
    bare = [element for element in elements if element not in centres]
    if lines and bare:
        message = f"no symmetry function is centred on {', '.join(bare)}; add lines for it"
        problems.append((("descriptors", "symmetry_functions"), message))
    return problems
