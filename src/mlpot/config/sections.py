"""The data and descriptor sections of the training configuration."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from mlpot.config.errors import KeyProblems
from mlpot.config.fields import (
    ConfigPath,
    FileFormat,
    FrameSelection,
    NonNegative,
    PositiveInt,
)
from mlpot.config.symmetry_lines import SymmetryLine, parse_symmetry_line

GROUPS = "list of groups"


class Section(BaseModel):
    """Base of every configuration section: unknown keys are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


def groups_or(other: str) -> Discriminator:
    """Discriminator: a list is a list of groups, anything else is the `other` alternative."""

    def choose(value: Any) -> str:
        return GROUPS if isinstance(value, list) else other

    return Discriminator(choose)


class FileSpec(Section):
    """Frames to read from files, written "path [selection]" in the configuration.

    path:      a file, or a glob / {a,b} brace pattern, resolved against the config directory
    selection: the frames of each file: an index ("-1") or a slice ("100:2000:20", ":" = all)
    """

    path: ConfigPath
    selection: FrameSelection = ":"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        from mlpot.data.selection import split_entry

        if not isinstance(value, str):
            return value
        if not value.strip():
            raise ValueError("empty file entry; write 'path' or 'path start:stop:step'")
        path, selection = split_entry(value)
        return {"path": path, "selection": selection}

    @property
    def entry(self) -> str:
        """The "path selection" text that mlpot.data.read_frames and load_group read."""
        return f"{self.path} {self.selection}"


class GroupConfig(Section):
    """A named group of training structures with one training weight; `fidelity`: the level
    of theory of its labels (multi-fidelity training; None: data.target_fidelity)."""

    name: str = Field(min_length=1)
    weight: NonNegative = 1.0
    files: list[FileSpec] = Field(min_length=1)
    format: FileFormat | None = None
    fidelity: Annotated[str, Field(min_length=1)] | None = None


def _unique_names(groups: list[GroupConfig]) -> list[GroupConfig]:
    first: dict[str, int] = {}
    problems = []
    for index, group in enumerate(groups):
        if group.name in first:
            message = f"group name '{group.name}' is already used by group {first[group.name]}"
            problems.append(((index, "name"), message))
        first.setdefault(group.name, index)
    if problems:
        raise KeyProblems(problems)
    return groups


Groups = Annotated[list[GroupConfig], AfterValidator(_unique_names)]

TrainData = Annotated[
    Annotated[ConfigPath, Tag("path to a structure_list file")]
    | Annotated[Groups, Field(min_length=1), Tag(GROUPS)],
    groups_or("path to a structure_list file"),
]
Holdout = Annotated[
    Annotated[float, Field(ge=0, lt=1), Tag("fraction")] | Annotated[Groups, Tag(GROUPS)],
    groups_or("fraction"),
]


class DataConfig(Section):
    """Where the reference structures come from.

    train:      groups of files, or a path to a SIMPLE-NN structure_list file
    validation: fraction in [0, 1) of the training frames held out at random (training.seed),
                or groups of separate files
    test:       groups evaluated once training has finished
    bootstrap:  train on a bootstrap resample of the training frames (as many, drawn with
                replacement, training.seed): the members of a committee then differ in the
                data they saw, which makes their disagreement track missing data
    outliers:   frames unlike the rest (a far too short bond, energy or forces far from typical,
                reported before training) "keep": stay in training, "exclude": left out
    target_fidelity: the fidelity the model predicts at when groups name several (their
                `fidelity`); groups naming none have this one. Test groups are evaluated at it.
    stress_offset: stress labels that disagree with the energies of strained copies of a
                structure by a constant pressure (a Pulay stress; mlpot.data.stress_offset)
                "remove": that offset is taken off them for training, with a warning, where
                it is 0.25 GPa or more; "keep": trained on as they are
    """

    train: TrainData
    validation: Holdout = 0.1
    test: Groups = Field(default_factory=list)
    require_forces: bool = True
    bootstrap: bool = False
    outliers: Literal["keep", "exclude"] = "keep"
    stress_offset: Literal["remove", "keep"] = "remove"
    target_fidelity: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _fidelities_named(self) -> DataConfig:
        problems = []
        if len(self.fidelity_names()) > 1 and self.target_fidelity is None:
            message = (
                f"the groups name the fidelities {', '.join(self.fidelity_names())}; set "
                "data.target_fidelity to the one the model should predict at"
            )
            problems.append((("target_fidelity",), message))
        for index, group in enumerate(self.test):
            if group.fidelity not in (None, self.target_fidelity):
                message = (
                    f"test group '{group.name}' has fidelity '{group.fidelity}', but test groups "
                    f"are evaluated at the target fidelity ({self.target_fidelity}); remove its "
                    "fidelity or make it the target"
                )
                problems.append((("test", index, "fidelity"), message))
        if problems:
            raise KeyProblems(problems)
        return self

    def training_groups(self) -> list[GroupConfig]:
        """The groups of training and validation frames (none for a structure_list file)."""
        train = self.train if isinstance(self.train, list) else []
        validation = self.validation if isinstance(self.validation, list) else []
        return [*train, *validation]

    def fidelity_names(self) -> tuple[str, ...]:
        """The fidelities of the training-side groups, in order of appearance (the target's
        name where a group names none); empty where nothing names a fidelity."""
        names = [g.fidelity or self.target_fidelity for g in self.training_groups()]
        if self.target_fidelity is not None:
            names.append(self.target_fidelity)
        return tuple(dict.fromkeys(n for n in names if n is not None))


Cutoff = Annotated[
    Annotated[Literal["auto"], Tag("word 'auto'")]
    | Annotated[Annotated[float, Field(gt=0)], Tag("number")],
    Discriminator(lambda value: "word 'auto'" if value == "auto" else "number"),
]

CutoffFunction = Literal["cos", "poly1", "poly2", "poly3", "poly4", "tanhu", "tanh", "exp"]


class DescriptorsConfig(Section):
    """Atom-centred symmetry functions: a generated preset or explicit n2p2 lines.

    cutoff (Å) applies to every function; "auto": the median distance from an atom of the
    training data to its auto_neighbours-th neighbour (4 to 10 Å), so that the descriptors see
    a similar number of atoms in every material. cutoff_alpha is the inner cutoff as a
    fraction of it. The generator keys (n_radial ... lambdas) apply to preset "default" only;
    angular_eta in 1/Å^2 (None: the generator's choice). angular_shells: groups of wide angular
    functions with r_s on a shifted grid (docs/training.md); 0 for none. mixed_shells: also
    wide angular functions with their two neighbours on two different shells (type 9m).
    """

    cutoff: Cutoff = "auto"
    auto_neighbours: PositiveInt = 50
    cutoff_function: CutoffFunction = "cos"
    cutoff_alpha: float = Field(0.0, ge=0, lt=1)
    preset: Literal["default"] | None = "default"
    n_radial: PositiveInt = 12
    radial_mode: Literal["shifted", "centred"] = "shifted"
    angular: Literal["narrow", "wide"] = "narrow"
    angular_eta: Annotated[list[NonNegative], Field(min_length=1)] | None = None
    zeta: list[Annotated[float, Field(ge=1)]] = Field([1.0, 2.0, 4.0, 16.0], min_length=1)
    lambdas: list[Literal[-1, 1]] = Field([-1, 1], min_length=1)
    angular_shells: Annotated[int, Field(ge=0)] = 3
    mixed_shells: bool = False
    symmetry_functions: Annotated[list[SymmetryLine], Field(min_length=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_preset_with_explicit_lines(cls, value: Any) -> Any:
        """Explicit symmetry_functions without a preset key mean preset: null."""
        if isinstance(value, dict) and value.get("symmetry_functions") is not None:
            return {"preset": None, **value}
        return value

    @model_validator(mode="after")
    def _one_source(self) -> DescriptorsConfig:
        if self.preset is not None and self.symmetry_functions is not None:
            message = "give either a preset or symmetry_functions, not both; set preset: null"
            raise KeyProblems([(("preset",), message)])
        if self.preset is None and self.symmetry_functions is None:
            message = "preset is null, so symmetry_functions must list the functions"
            raise KeyProblems([(("preset",), f"{message}; or set preset: default")])
        self._check_line_cutoffs()
        return self

    def _check_line_cutoffs(self) -> None:
        if self.cutoff == "auto":
            return
        problems = []
        for index, line in enumerate(self.symmetry_functions or []):
            rc = parse_symmetry_line(line).cutoff
            if rc > self.cutoff:
                message = f"'{line}' has rc {rc} beyond descriptors.cutoff {self.cutoff}"
                problems.append((("symmetry_functions", index), message))
        if problems:
            raise KeyProblems(problems)
