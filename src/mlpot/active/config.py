"""The active-learning configuration (`mlpot active config.yaml`), validated when it is loaded.

Units: K for temperatures, GPa for pressures, fs for time steps, Å for displacements;
the selection thresholds are in eV/Å (max_force_deviation) or eV/atom (energy_std_per_atom).
The descriptors, model and training sections are those of `mlpot train`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from mlpot.config.errors import KeyProblems
from mlpot.config.families import with_family_training_defaults
from mlpot.config.fields import ConfigPath, ElementSymbol, NonNegative, Positive, PositiveInt
from mlpot.config.schema import ModelConfig, ModelSection, TrainingConfig
from mlpot.config.sections import DescriptorsConfig, FileSpec, Groups, Section

Measure = Literal["max_force_deviation", "energy_std_per_atom"]
# a linear isotropic strain: the cell and positions are scaled by 1 + strain
Strain = Annotated[float, Field(gt=-0.5, lt=0.5)]


class StartConfig(Section):
    """Starting structures (any file ASE reads; no labels needed). Iteration 0 labels them and
    `rattle_copies` copies of each with Gaussian displacements of `rattle_stdev` Å."""

    structures: list[FileSpec] = Field(min_length=1)
    rattle_copies: int = Field(3, ge=0)
    rattle_stdev: Positive = 0.05
    seed: int = Field(0, ge=0)


class OracleConfig(Section):
    """The reference method: an ASE calculator by name (ase.calculators.calculator.
    get_calculator_class, e.g. emt, vasp, espresso), a universal model (sevennet-0,
    sevennet-mf-0:PBE, chgnet, or a model file; mlpot.universal), an mlpot model file, or a
    factory "module:function" returning an ASE calculator; kwargs go to any of them. A relative
    file path is read from the configuration's directory."""

    calculator: str | None = None
    factory: str | None = Field(None, pattern=r"^[\w.]+:\w+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)

    @field_validator("calculator")
    @classmethod
    def _relative_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("base_dir")
        if value is None or base is None or Path(value).is_absolute():
            return value
        candidate = Path(base) / Path(value).expanduser()
        return str(candidate) if candidate.exists() else value

    @model_validator(mode="after")
    def _exactly_one(self) -> OracleConfig:
        if (self.calculator is None) == (self.factory is None):
            raise ValueError("give either calculator (e.g. emt) or factory (module:function)")
        return self


class ExecutorConfig(Section):
    """Where the oracle runs: a local process pool, or Dask (a scheduler at `address`, or a
    local cluster of `workers` processes; threads in this process with processes: false)."""

    kind: Literal["process", "dask"] = "process"
    workers: PositiveInt = 2
    address: str | None = None
    processes: bool = True


class EnsembleConfig(Section):
    """Committee of `members` networks, as `mlpot ensemble` trains them: kind "seeds" (seeds
    training.seed + k) or "atomic_energy" (members k >= 1 also fit member 0's atomic energies);
    bootstrap: each member trains on its own resample of the labelled structures. members 1:
    one model of a family with its own variance (gap), selected by energy_std_per_atom."""

    members: int = Field(4, ge=1)
    kind: Literal["seeds", "atomic_energy"] = "seeds"
    bootstrap: bool = False


class Substitution(Section):
    """Replace a random `fraction` of the `replace` atoms by `by` (a composition variant)."""

    replace: ElementSymbol
    by: ElementSymbol
    fraction: float = Field(gt=0, le=1)


class NormalModesConfig(Section):
    """Normal-mode sampling: `samples` displaced structures per starting structure and
    temperature, along the modes of the ensemble-mean Hessian (finite differences, `delta`
    Å); no atom moves more than `max_displacement` Å."""

    samples: int = Field(0, ge=0)
    delta: Positive = 0.01
    max_displacement: Positive = 0.5


class MetadynamicsExploreConfig(Section):
    """The `metadynamics` exploration kind: the grid's MD runs again with hills on the
    committee's (first member's) descriptors, projected on their `components` leading
    principal axes over every structure labelled so far; cv "atomic_descriptor" puts hills on
    each atom's projection instead of their mean. height eV, widths in projected units, a
    hill every `stride` steps (well-tempered with a bias_factor). The uncertainty recorded is
    the unbiased committee's."""

    cv: Literal["descriptor", "atomic_descriptor"] = "descriptor"
    components: PositiveInt = 2
    height: Positive = 0.1
    widths: Positive = 0.05
    stride: PositiveInt = 10
    bias_factor: float | None = Field(None, gt=1)


class ExploreConfig(Section):
    """MD with the current ensemble over the grid starting structure x composition x strain x
    temperature x pressure. NVT (Langevin) without pressures, NPT (MTK) at each pressure.
    kinds: "md" (plain) and/or "metadynamics" (the same grid with a descriptor bias, see
    MetadynamicsExploreConfig; NVT only). A run ends at the first structure with two atoms
    closer than closest_approach times the shortest distance in the labelled starting set (0:
    never): a collapse the ensemble may not flag, as it has seen nothing like it."""

    kinds: list[Literal["md", "metadynamics"]] = Field(
        default_factory=lambda: ["md"], min_length=1
    )
    metadynamics: MetadynamicsExploreConfig = Field(default_factory=MetadynamicsExploreConfig)
    temperatures: list[Positive] = Field(min_length=1)
    pressures: list[float] | None = None
    strains: list[Strain] = Field(default_factory=lambda: [0.0], min_length=1)
    substitutions: list[Substitution] = Field(default_factory=list)
    steps: PositiveInt = 200
    timestep: Positive = 2.0
    interval: PositiveInt = 10
    friction: Positive = 0.01
    closest_approach: float = Field(0.75, ge=0, lt=1)
    normal_modes: NormalModesConfig = Field(default_factory=NormalModesConfig)
    seed: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _metadynamics_at_constant_volume(self) -> ExploreConfig:
        if "metadynamics" in self.kinds and self.pressures:
            raise ValueError(
                "the metadynamics kind runs NVT only: drop pressures, or explore at pressure "
                "with kinds: [md]"
            )
        if len(set(self.kinds)) != len(self.kinds):
            raise ValueError(f"kinds {self.kinds} repeat one")
        return self


class SelectConfig(Section):
    """Which explored structures get labelled: those with lower <= uncertainty < upper (below:
    already known; above: unphysical, counted only), de-duplicated by farthest-point sampling
    on descriptor summaries (no two closer than min_distance), at most max_per_iteration."""

    measure: Measure = "max_force_deviation"
    lower: Positive
    upper: Positive
    max_per_iteration: PositiveInt = 20
    min_distance: NonNegative = 0.0

    @model_validator(mode="after")
    def _ordered(self) -> SelectConfig:
        if self.upper <= self.lower:
            raise ValueError(f"upper ({self.upper}) must be above lower ({self.lower})")
        return self


class ActiveConfig(Section):
    """Everything `mlpot active` needs.

    output:     directory of state.json, the iteration directories and the report
    holdout:    labelled frames (energy and forces) on which every ensemble is scored
    iterations: explore-label-retrain rounds after the initial training (iteration 0)
    validation: fraction of the training frames each member holds out (its training.seed)
    fidelity_data: labelled groups of other fidelities (each with its `fidelity`, e.g. a
                universal model's labels), trained alongside the oracle's labels in every
                iteration (multi-fidelity models); the oracle labels only the selected
                structures, at target_fidelity, which the ensembles predict at
    target_fidelity: the name of the oracle's fidelity (needed with fidelity_data)
    """

    output: ConfigPath = Field(Path("mlpot-active"), validate_default=True)
    elements: Annotated[list[ElementSymbol], Field(min_length=1)] | None = None
    start: StartConfig
    holdout: list[FileSpec] = Field(default_factory=list)
    oracle: OracleConfig
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)
    ensemble: EnsembleConfig = Field(default_factory=EnsembleConfig)
    explore: ExploreConfig
    select: SelectConfig
    iterations: PositiveInt = 5
    validation: float = Field(0.1, ge=0, lt=1)
    fidelity_data: Groups = Field(default_factory=list)
    target_fidelity: Annotated[str, Field(min_length=1)] | None = None
    descriptors: DescriptorsConfig = Field(default_factory=DescriptorsConfig)
    model: ModelSection = Field(default_factory=ModelConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)

    @model_validator(mode="after")
    def _family_training_defaults(self) -> ActiveConfig:
        self.training = with_family_training_defaults(self.model, self.training)
        return self

    @model_validator(mode="after")
    def _one_model_has_only_its_energy_variance(self) -> ActiveConfig:
        if self.ensemble.members == 1 and self.select.measure != "energy_std_per_atom":
            raise ValueError(
                "ensemble.members 1 gives no force deviation: set select.measure to "
                "energy_std_per_atom (a model with its own variance, model.family gap), or "
                "train a committee (members >= 2)"
            )
        return self

    @model_validator(mode="after")
    def _fidelities_named(self) -> ActiveConfig:
        problems = _fidelity_problems(self)
        if problems:
            raise KeyProblems(problems)
        return self


def _fidelity_problems(cfg: ActiveConfig) -> list:
    """fidelity_data needs target_fidelity and a fidelity named by each of its groups."""
    problems: list = []
    if cfg.fidelity_data and cfg.target_fidelity is None:
        message = "fidelity_data needs target_fidelity: the name of the oracle's fidelity"
        problems.append((("target_fidelity",), message))
    for index, group in enumerate(cfg.fidelity_data):
        if group.fidelity is None:
            message = f"group '{group.name}' names no fidelity; give it its level of theory"
            problems.append((("fidelity_data", index, "fidelity"), message))
    return problems


def load_active_config(path: str | os.PathLike[str]) -> ActiveConfig:
    """Read the YAML file at `path` as an ActiveConfig; relative paths are resolved against its
    directory. Raises ConfigError listing every problem (file, line, key, what is wrong)."""
    from mlpot.config.errors import ConfigError
    from mlpot.config.report import problems_from
    from mlpot.config.source import read_yaml

    path = Path(path)
    document = read_yaml(path)
    try:
        return ActiveConfig.model_validate(
            document.data, context={"base_dir": path.absolute().parent}
        )
    except ValidationError as exc:
        raise ConfigError(problems_from(exc, ActiveConfig, document)) from None
