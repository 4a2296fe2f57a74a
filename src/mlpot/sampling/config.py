"""The sampling configuration (`mlpot sample config.yaml`), validated when it is loaded.

Units: K for temperatures, GPa for pressures, fs for time steps, Å for distances and
displacements, eV for hill heights and eV/Å^2 for restraint constants.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mlpot.config.fields import ConfigPath, NonNegative, Positive, PositiveInt
from mlpot.config.sections import FileSpec, Section

# a linear isotropic strain: the cell and positions are scaled by 1 + strain
Strain = Annotated[float, Field(gt=-0.5, lt=0.5)]
# two atom indices (0-based)
Pair = Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)]


class CalculatorConfig(Section):
    """What drives the samplers: mlpot model files (several, or an ensemble.json: their
    committee mean), an ASE calculator by name (e.g. emt) or a factory "module:function"
    returning one; kwargs go to the ASE calculator or the factory."""

    model: list[ConfigPath] | None = None
    calculator: str | None = None
    factory: str | None = Field(None, pattern=r"^[\w.]+:\w+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> CalculatorConfig:
        given = [self.model is not None, self.calculator is not None, self.factory is not None]
        if sum(given) != 1:
            raise ValueError(
                "give exactly one of model (mlpot model files), calculator (e.g. emt) "
                "or factory (module:function)"
            )
        return self


class Dynamics(Section):
    """MD settings every MD-based sampler shares: one run per starting structure, strain and
    temperature (NVT Langevin), `steps` steps of `timestep` fs, a structure recorded every
    `interval` steps (step 0, the starting structure, is not recorded); with pressures
    (GPa), one NPT run (MTK, isotropic) per pressure instead of NVT, a bias's stress added to
    the calculator's."""

    name: str | None = None
    temperatures: list[Positive] = Field(min_length=1)
    strains: list[Strain] = Field(default_factory=lambda: [0.0], min_length=1)
    pressures: list[float] | None = None
    steps: PositiveInt = 500
    timestep: Positive = 2.0
    interval: PositiveInt = 10
    friction: Positive = 0.01


class MDSampler(Dynamics):
    """Plain MD."""

    kind: Literal["md"]


class MetadynamicsSampler(Dynamics):
    """MD with metadynamics hills. cv "descriptor": the mean of the driving model's scaled
    descriptors projected on their `components` leading principal axes over the starting
    structures (G-metaD); "atomic_descriptor": hills on each atom's projection; "distance":
    sum_k coefficients_k d(pairs_k) in Å; "coordination": the mean coordination number
    (smooth step from r_on to r_off Å). widths are in the CV's units."""

    kind: Literal["metadynamics"]
    cv: Literal["descriptor", "atomic_descriptor", "distance", "coordination"] = "descriptor"
    components: PositiveInt = 2
    pairs: list[Pair] | None = None
    coefficients: list[float] | None = None
    r_on: NonNegative = 2.5
    r_off: Positive = 3.5
    height: Positive = 0.1
    widths: Positive | list[Positive] = 0.05
    stride: PositiveInt = 20
    bias_factor: float | None = Field(None, gt=1)

    @model_validator(mode="after")
    def _pairs_for_distance(self) -> MetadynamicsSampler:
        if self.cv == "distance" and not self.pairs:
            raise ValueError("cv 'distance' needs pairs, e.g. [[0, 1]]")
        if self.cv == "coordination" and self.r_off <= self.r_on:
            raise ValueError(f"r_off ({self.r_off}) must be above r_on ({self.r_on})")
        return self


class GuidedSampler(Dynamics):
    """Guided MD: xi = sum_k coefficients_k d(pairs_k) (Å) is restrained by kappa/2 (xi -
    c)^2 with c moving from xi's starting value by `rate` Å per step to `target`, then held."""

    kind: Literal["guided"]
    pairs: list[Pair] = Field(min_length=1)
    coefficients: list[float] | None = None
    kappa: Positive = 10.0
    target: float
    rate: Positive = 0.002


class NormalModesSampler(Section):
    """`samples` structures per starting structure and temperature, displaced along the
    normal modes of the driving calculator's Hessian (finite differences of `delta` Å) with
    classical thermal amplitudes; no atom moves more than max_displacement Å."""

    kind: Literal["normal_modes"]
    name: str | None = None
    temperatures: list[Positive] = Field(min_length=1)
    samples: PositiveInt = 10
    delta: Positive = 0.01
    max_displacement: Positive = 0.5


Sampler = Annotated[
    MDSampler | MetadynamicsSampler | GuidedSampler | NormalModesSampler,
    Field(discriminator="kind"),
]


class DiversityConfig(Section):
    """Pick `budget` structures for labelling from everything sampled, in the space of the
    descriptor model's per-structure summaries (per element: atom fraction, mean and standard
    deviation of the scaled descriptors): "farthest" point sampling or "cur" leverage."""

    method: Literal["farthest", "cur"] = "farthest"
    budget: PositiveInt


class SampleConfig(Section):
    """Everything `mlpot sample` needs.

    output:           directory of the runs, samples.xyz, selected.xyz and report.json
    structures:       starting structures (any file ASE reads; labels are ignored)
    descriptor_model: the mlpot model whose descriptors define descriptor CVs and the
                      selection's space (default: the driving model, when it is one)
    seed:             every run's seed derives from it, the sampler and the run's place
    """

    output: ConfigPath = Field(Path("mlpot-sample"), validate_default=True)
    structures: list[FileSpec] = Field(min_length=1)
    calculator: CalculatorConfig
    descriptor_model: ConfigPath | None = None
    samplers: list[Sampler] = Field(min_length=1)
    select: DiversityConfig
    seed: int = Field(0, ge=0)


def load_sample_config(path: str | os.PathLike[str]) -> SampleConfig:
    """Read the YAML file at `path` as a SampleConfig; relative paths are resolved against its
    directory. Raises ConfigError listing every problem (file, line, key, what is wrong)."""
    from mlpot.config.load import load_section

    return load_section(path, SampleConfig)
