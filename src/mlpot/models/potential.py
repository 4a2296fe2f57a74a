"""The contract every model family fulfils: `Potential`.

A potential maps a structure to atomic energies E_i (eV); everything else (forces, stress,
training, calculators, ensembles, MD) is built on that by mlpot, the same for every family:

    structure  --structure_inputs-->  StructureInputs (species, neighbour pairs, features)
               --collate-->           ModelInputs (a batch of structures)
               --atomic_energies-->   E_i (A,), a function of the pair vectors r_p
    forces, stress: from dE/dr_p (mlpot.models.predict, mlpot.models.forces), one derivation.

A family whose inputs are precomputed from the pairs (descriptors and their derivatives)
links them to r_p with mlpot.models.precomputed; a graph family computes from r_p directly.
A family is registered with mlpot.models.families.register_family.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import numpy as np
import torch
from ase import Atoms
from torch import nn

from mlpot.descriptors.species import ElementIndex
from mlpot.errors import MlpotError
from mlpot.models.fidelity import Fidelities, check_single
from mlpot.neighbours.pairs import Pairs, neighbour_pairs

if TYPE_CHECKING:
    from mlpot.models.evaluator import Evaluator
    from mlpot.models.inputs import ModelInputs

OUTPUTS = frozenset({"energy", "forces", "stress", "atomic_energies"})

# Capabilities a family may declare (Potential.capabilities); callers refuse what is missing.
KALMAN = "kalman"  # trainable by the Kalman filter of mlpot.training.kalman
EXTRAPOLATION = "extrapolation"  # counts inputs outside the training range per atom
DESCRIPTOR_FEATURES = "descriptors"  # features hold per-atom descriptors (mlpot.models.nnp)
FITTED = "fitted"  # solved in closed form by its family's fit: no gradient training follows
ATOM_FEATURES = "atom features"  # atom_features: per-atom invariants (selection by diversity)
VARIANCE = "variance"  # its calculator gives its own energy_std, energies_std: no committee
MULTI_FIDELITY = "multi-fidelity"  # learns several fidelities (mlpot.models.fidelity)


def export_capability(fmt: str) -> str:
    """The capability of being written in potential format `fmt` (mlpot.interop.formats)."""
    return f"export:{fmt}"


class StructureInputs(NamedTuple):
    """What a model reads of one structure of N atoms (NumPy, float64).

    species:  (N,) int64 index into the model's elements
    pairs:    directed neighbour pairs within the cutoff (mlpot.neighbours.pairs.Pairs)
    features: family-specific arrays, each with one row per atom or one row per pair
    """

    species: np.ndarray
    pairs: Pairs
    features: dict[str, np.ndarray]


class Potential(nn.Module, ABC):
    """A model of one family. Subclasses set `family` and implement `elements`, `cutoff`,
    `atomic_energies`, `spec` and `from_spec`; the rest has working defaults."""

    family: ClassVar[str]
    # not compiled when a family's module is scripted (TorchScript) for deployment
    __jit_unused_properties__: ClassVar[list[str]] = [
        "elements", "cutoff", "receptive_field", "dtype", "device", "capabilities",
        "description", "fidelities",
    ]

    @property
    @abstractmethod
    def elements(self) -> tuple[str, ...]:
        """Chemical symbols, in the order of species indices."""

    @property
    @abstractmethod
    def cutoff(self) -> float:
        """Neighbour pairs farther apart than this (Å) do not change the energy."""

    @property
    def receptive_field(self) -> float:
        """Atoms farther than this (Å) from atom i do not change E_i (the cutoff, or more
        for message passing)."""
        return self.cutoff

    @property
    def dtype(self) -> torch.dtype:
        for tensor in (*self.parameters(), *self.buffers()):
            if tensor.is_floating_point():
                return tensor.dtype
        raise MlpotError(f"{self.description} holds no floating-point tensor")

    @property
    def device(self) -> torch.device:
        return next(iter((*self.parameters(), *self.buffers()))).device

    @property
    def fidelities(self) -> Fidelities | None:
        """The fidelities a multi-fidelity model learnt (names, target; a family sets
        `self._fidelities`); None: one fidelity."""
        return self.__dict__.get("_fidelities")

    @property
    def capabilities(self) -> frozenset[str]:
        """What this model supports beyond the contract (KALMAN, EXTRAPOLATION, ...)."""
        return frozenset()

    def require(self, capability: str, purpose: str, remedy: str = "") -> None:
        """Raise MlpotError unless this model has `capability`, saying what needed it (and
        what to do instead)."""
        if capability not in self.capabilities:
            advice = f"; {remedy}" if remedy else ""
            raise MlpotError(f"{purpose}: {self.description} lacks '{capability}'{advice}")

    @property
    def description(self) -> str:
        """How messages name this model: its family, and what else tells it apart."""
        return f"a '{self.family}' model"

    def structure_inputs(
        self,
        numbers: np.ndarray,
        positions: np.ndarray,
        cell: np.ndarray,
        pbc: np.ndarray,
        pairs: Pairs | None = None,
    ) -> StructureInputs:
        """Species, pairs within the cutoff and `features` of one structure (positions (N, 3)
        Å, cell (3, 3) rows Å, pbc (3,)); `pairs`: the structure's pairs within the cutoff
        where the caller has them. Raises MlpotError for elements the model lacks."""
        species = self.species(numbers)
        if pairs is None:
            pairs = neighbour_pairs(positions, cell, pbc, self.cutoff)
        return StructureInputs(species, pairs, self.features(species, pairs))

    def species(self, numbers: np.ndarray) -> np.ndarray:
        """(N,) index into `elements` for atomic numbers (N,)."""
        return ElementIndex(self.elements)(numbers)

    def features(self, species: np.ndarray, pairs: Pairs) -> dict[str, np.ndarray]:
        """Family-specific inputs computed once per structure (none by default)."""
        return {}

    @abstractmethod
    def atomic_energies(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        """(A,) energies in eV of the batch's atoms; `vectors` (P, 3) Å are the batch's pair
        vectors, requiring grad when forces or stress are wanted: the energies must depend
        on positions only through them."""

    @abstractmethod
    def spec(self) -> dict:
        """Plain data (no tensors) that rebuilds this module before its state is loaded."""

    @classmethod
    @abstractmethod
    def from_spec(cls, spec: dict) -> Potential:
        """A module of the architecture `spec` describes (weights not loaded)."""

    def fresh(self, seed: int) -> Potential:
        """A new module of the same architecture, weights initialised from `seed`."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return type(self).from_spec(self.spec())

    def at_fidelity(self, name: str | None = None) -> Potential:
        """A single-fidelity model predicting what this one predicts at fidelity `name`
        (None: the target); a single-fidelity model returns itself."""
        if self.fidelities is None:
            check_single(None, name, f"{self.description}")
            return self
        self.require(MULTI_FIDELITY, "prediction at one fidelity")
        return self.folded_fidelity(self.fidelities.index(name))

    def folded_fidelity(self, index: int) -> Potential:
        """at_fidelity's copy for the fidelity at one-hot position `index`; families with
        the capability MULTI_FIDELITY override this."""
        raise NotImplementedError(f"{self.description} declares {MULTI_FIDELITY} but cannot fold")

    def widened_fidelity(self, fidelities: Fidelities, source: int,
                         shifts: torch.Tensor) -> Potential:
        """A multi-fidelity copy of this single-fidelity model that predicts its energies at
        fidelity `source` (one-hot position) and the other fidelities shifted by their
        reference energies (shifts (F, E): each fidelity's minus the target's), for
        fine-tuning on several fidelities; families that can override this."""
        raise MlpotError(
            f"{self.description} cannot be widened to several fidelities for fine-tuning "
            "(the nnp family can); train it on one fidelity, or train a new multi-fidelity "
            "model"
        )

    def atom_features(self, atoms: Atoms) -> np.ndarray:
        """(N, D) invariant per-atom features of `atoms` that the energies are computed from
        (scaled descriptors, last-layer node features), for selection by diversity; families
        with the capability ATOM_FEATURES override this."""
        self.require(ATOM_FEATURES, "per-atom features (selection by diversity)")
        raise NotImplementedError(f"{self.description} declares {ATOM_FEATURES} but lacks them")

    @classmethod
    def evaluator(cls, models: Sequence[Potential], skin: float) -> Evaluator:
        """Single-structure evaluation of `models` (one family) for calculators; the default
        runs atomic_energies through torch. Families with a faster path override it."""
        from mlpot.models.evaluator import TorchEvaluator

        return TorchEvaluator(models, skin)

    @classmethod
    def calculator_type(cls) -> type:
        """The ASE calculator class of this family's single models: MlpotCalculator, or a
        subclass adding the family's own results (a GP's predictive variance)."""
        from mlpot.calculators.calculator import MlpotCalculator

        return MlpotCalculator

    @classmethod
    def check_committee(cls, models: Sequence[Potential], names: Sequence[str]) -> None:
        """Raise MlpotError unless `models` can form one committee (same elements; families
        that share work between members check more)."""
        for model, name in zip(models[1:], names[1:], strict=True):
            if model.elements != models[0].elements:
                raise MlpotError(
                    f"{name}: elements {', '.join(model.elements)} differ from those of "
                    f"{names[0]} ({', '.join(models[0].elements)}); a committee needs one set"
                )
