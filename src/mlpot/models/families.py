"""The model families mlpot knows: name -> model class and training-config section.

A family is a Potential subclass (mlpot.models.potential) plus, if `mlpot train` can build it
from a config, a config section class (a pydantic model with `family: Literal[name]`) and

    build(section, context: BuildContext) -> Potential     a new model for the training data
    fit(model, section, frames, prepared, keep_function, seed)
        what it learns before optimisation (scaling, reference energies, a GAP's sparse
        points and weights); seed: training.seed, for any random choice the fit makes

Registering one makes model files, calculators, training, ensembles and the config's
`model: {family: name, ...}` section accept it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from mlpot.errors import MlpotError

if TYPE_CHECKING:
    from mlpot.config.sections import DescriptorsConfig
    from mlpot.data.frame import Frame
    from mlpot.models.fidelity import Fidelities
    from mlpot.models.potential import Potential


@dataclass(frozen=True)
class Family:
    name: str
    model: type[Potential]
    config: type | None = None  # the `model:` config section; None: not trained from configs
    build: Callable[..., Potential] | None = None
    fit: Callable[..., None] | None = None


@dataclass(frozen=True)
class BuildContext:
    """What a family's config section may use to build a new model."""

    elements: tuple[str, ...]
    frames: list[Frame]  # every training-side frame (train and validation)
    descriptors: DescriptorsConfig
    dtype: torch.dtype
    seed: int  # initial weights
    fidelities: Fidelities | None = None  # several fidelities to learn (None: one)


_FAMILIES: dict[str, Family] = {}


def register_family(
    model: type[Potential],
    config: type | None = None,
    build: Callable[..., Potential] | None = None,
    fit: Callable[..., None] | None = None,
) -> Family:
    """Make `model`'s family (model.family) known; `config`, `build` and `fit` (all or none):
    how `mlpot train` builds and prepares it."""
    if (config is None) != (build is None) or (config is None) != (fit is None):
        raise ValueError("give a family's config section, build and fit together, or none")
    _register_builtins()
    family = Family(model.family, model, config, build, fit)
    _FAMILIES[family.name] = family
    if config is not None:
        from mlpot.config.families import refresh_model_sections

        refresh_model_sections()
    return family


def family(name: str) -> Family:
    """The registered family `name`; MlpotError naming the known ones otherwise."""
    _register_builtins()
    if name not in _FAMILIES:
        known = ", ".join(sorted(_FAMILIES))
        if name == "equivariant":
            extra = 'pip install "mlpot[equivariant]"'
            raise MlpotError(f'model family "equivariant" needs e3nn: {extra}')
        raise MlpotError(f"unknown model family '{name}' (known: {known})")
    return _FAMILIES[name]


def families() -> list[Family]:
    _register_builtins()
    return list(_FAMILIES.values())


def model_from_spec(name: str, spec: dict[str, Any]) -> Potential:
    return family(name).model.from_spec(spec)


_BUILTINS_DONE = False


def _register_builtins() -> None:
    global _BUILTINS_DONE
    if _BUILTINS_DONE:
        return
    _BUILTINS_DONE = True
    from mlpot.config.schema import ModelConfig
    from mlpot.models.gap import GapConfig, GapPotential, build_gap, fit_gap_section
    from mlpot.models.nnp import NeuralNetworkPotential
    from mlpot.models.snap import SnapNetworkPotential
    from mlpot.training.nnp_family import build_nnp, fit_nnp

    nnp = Family("nnp", NeuralNetworkPotential, ModelConfig, build_nnp, fit_nnp)
    _FAMILIES.setdefault("nnp", nnp)
    _FAMILIES.setdefault("snap", Family("snap", SnapNetworkPotential))
    if importlib.util.find_spec("e3nn") is not None:  # the `equivariant` extra
        from mlpot.config.schema import EquivariantConfig
        from mlpot.models.equivariant import EquivariantPotential
        from mlpot.training.equivariant_family import build_equivariant, fit_equivariant

        equivariant = Family(
            "equivariant", EquivariantPotential, EquivariantConfig, build_equivariant,
            fit_equivariant,
        )
        _FAMILIES.setdefault("equivariant", equivariant)
    _FAMILIES.setdefault("gap", Family("gap", GapPotential, GapConfig, build_gap, fit_gap_section))
