"""The high-dimensional neural network potential: one network per element, E = sum_i E_i."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.models.activations import activation
from mlpot.models.descriptor_range import DescriptorRange
from mlpot.models.fidelity import Fidelities
from mlpot.models.inputs import ModelInputs
from mlpot.models.interaction import InteractionSpec, MessagePairs, NeighbourMessages
from mlpot.models.potential import (
    ATOM_FEATURES,
    DESCRIPTOR_FEATURES,
    EXTRAPOLATION,
    KALMAN,
    MULTI_FIDELITY,
    Potential,
    export_capability,
)
from mlpot.models.precomputed import linked
from mlpot.models.scaling import DescriptorScaler
from mlpot.neighbours.pairs import Pairs, neighbour_pairs

# features of a structure (Potential.features): descriptors G (N, F) and dG_i/dr_p (P, F, 3)
DESCRIPTORS = "descriptors"
PAIR_DERIVATIVES = "pair_derivatives"


@dataclass(frozen=True)
class NetworkSpec:
    """Hidden layer sizes and activation of one element's network (output layer is linear).

    activation: one name for every hidden layer, or a tuple with one name per hidden layer.
    """

    hidden: tuple[int, ...] = (24, 24)
    activation: str | tuple[str, ...] = "tanh"

    def __post_init__(self) -> None:
        if not isinstance(self.activation, str):
            object.__setattr__(self, "activation", tuple(self.activation))
            if len(self.activation) != len(self.hidden):
                raise ValueError(
                    f"{len(self.activation)} activations for {len(self.hidden)} hidden layers"
                )

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """The activation of each hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        return self.activation


def build_network(n_inputs: int, spec: NetworkSpec, dtype: torch.dtype) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_inputs
    for size, name in zip(spec.hidden, spec.layer_activations, strict=True):
        layers += [nn.Linear(width, size, dtype=dtype), activation(name)]
        width = size
    layers.append(nn.Linear(width, 1, dtype=dtype))
    return nn.Sequential(*layers)


class NeuralNetworkPotential(Potential):
    """Behler-Parrinello potential (family "nnp") over the symmetry functions `sfset`; the
    subclass mlpot.models.snap.SnapNetworkPotential takes LAMMPS's SNAP bispectrum instead.

    E_i = scale * NN_e(preprocess_e(G_i)) + E_ref[e] for atom i of element e, in eV.
    With an `interaction`, NN_e also reads messages from i's neighbours
    (mlpot.models.interaction), and energies need the neighbour pairs. With `fidelities`
    (mlpot.models.fidelity), NN_e also reads the structure's one-hot fidelity (appended last)
    and E_ref[e] has a per-fidelity shift: E_i = ... + E_ref[e] + shift[fidelity, e].
    """

    def __init__(
        self,
        sfset: SymmetryFunctionSet,
        networks: dict[str, NetworkSpec],
        dtype: torch.dtype = torch.float64,
        interaction: InteractionSpec | None = None,
        fidelities: Fidelities | None = None,
    ):
        super().__init__()
        self._fidelities = fidelities
        self.sfset = sfset
        self.network_specs = {e: networks[e] for e in sfset.elements}
        self.scalers = nn.ModuleDict(
            {e: DescriptorScaler(sfset.n_features(e), dtype) for e in sfset.elements}
        )
        n_features = {e: sfset.n_features(e) for e in sfset.elements}
        self.interaction = None
        if interaction is not None:
            self.interaction = NeighbourMessages(n_features, interaction, sfset.cutoff, dtype)
        extra = (interaction.features if interaction else 0) + len(fidelities or ())
        self.networks = nn.ModuleDict(
            {e: build_network(n + extra, networks[e], dtype) for e, n in n_features.items()}
        )
        # training range of each descriptor, for extrapolation warnings (fit_preprocessing)
        self.descriptor_ranges = nn.ModuleDict(
            {e: DescriptorRange(sfset.n_features(e), dtype) for e in sfset.elements}
        )
        n = len(sfset.elements)
        self.register_buffer("reference_energies", torch.zeros(n, dtype=dtype))
        self.register_buffer("energy_scale", torch.ones((), dtype=dtype))
        if fidelities is not None:  # reference energy of fidelity f minus the target's
            shifts = torch.zeros(len(fidelities), n, dtype=dtype)
            self.register_buffer("fidelity_shifts", shifts)

    family = "nnp"
    engine_type = ACSF  # what computes sfset's descriptors

    @property
    def elements(self) -> tuple[str, ...]:
        return self.sfset.elements

    @property
    def cutoff(self) -> float:
        return self.sfset.cutoff

    @property
    def receptive_field(self) -> float:
        reach = self.cutoff
        return reach if self.interaction is None else reach + self.interaction.cutoff

    @property
    def dtype(self) -> torch.dtype:
        return self.reference_energies.dtype

    @property
    def capabilities(self) -> frozenset[str]:
        formats = ("n2p2", "simple-nn", "lammps")  # lammps: refuses neighbour messages itself
        found = {DESCRIPTOR_FEATURES, ATOM_FEATURES, MULTI_FIDELITY}
        found |= set(map(export_capability, formats))
        if self.has_descriptor_ranges:
            found.add(EXTRAPOLATION)
        if self.interaction is None and self.fidelities is None:
            found.add(KALMAN)
        return frozenset(found)

    @property
    def description(self) -> str:
        messages = " with neighbour messages" if self.interaction is not None else ""
        if self.fidelities is not None:
            messages += f" of fidelities {', '.join(self.fidelities.names)}"
        return f"a '{self.family}' model{messages}"

    @property
    def descriptor_engine(self):
        """The engine_type instance of sfset (built once per model)."""
        engine = _ENGINES.get(self)
        if engine is None:
            engine = _ENGINES[self] = self.engine_type(self.sfset)
        return engine

    def atom_features(self, atoms) -> np.ndarray:
        """(N, F) scaled descriptors (columns beyond an element's functions zero)."""
        species = self.species(atoms.numbers)
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, self.cutoff)
        return self.scaled(self.descriptor_engine.compute(species, pairs)[0], species)

    def scaled(self, descriptors: np.ndarray, species: np.ndarray) -> np.ndarray:
        """Descriptors (N, F) as the networks read them (each element's scaler)."""
        out = np.zeros_like(descriptors)
        with torch.no_grad():
            for e, element in enumerate(self.elements):
                rows, n = species == e, self.sfset.n_features(element)
                g = torch.as_tensor(descriptors[rows, :n], dtype=self.dtype)
                out[rows, :n] = self.scalers[element](g).double().numpy()
        return out

    def features(self, species: np.ndarray, pairs: Pairs) -> dict[str, np.ndarray]:
        descriptors, derivatives = self.descriptor_engine.compute_with_derivatives(species, pairs)
        return {DESCRIPTORS: descriptors, PAIR_DERIVATIVES: derivatives}

    def atomic_energies(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        g = linked(
            inputs.features[DESCRIPTORS],
            inputs.features[PAIR_DERIVATIVES],
            inputs.pair_first,
            vectors,
        )
        messages = None
        if self.interaction is not None:
            messages = self.interaction.message_pairs(
                inputs.pair_first, inputs.pair_second, vectors.detach(), False
            )
            index = torch.arange(len(messages.near), device=vectors.device)
            basis = linked(messages.basis, messages.derivatives, index, vectors[messages.near])
            messages = messages._replace(basis=basis)
        fidelity = None
        if self.fidelities is not None:
            fidelity = inputs.fidelity[inputs.atom_structure]
        return self.descriptor_energies(g, inputs.species, messages, fidelity)

    def descriptor_energies(
        self,
        descriptors: torch.Tensor,
        species: torch.Tensor,
        pairs: MessagePairs | None = None,
        fidelity: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """(A,) energies in eV from descriptors (A, F) and element indices (A,); a model with
        an interaction also needs its message pairs among those atoms, a multi-fidelity
        model each atom's fidelity index (A,)."""
        inputs = {}
        for e, element in enumerate(self.elements):
            index = torch.nonzero(species == e).squeeze(1)
            if len(index):
                x = descriptors[index, : self.sfset.n_features(element)]
                inputs[element] = (index, self.scalers[element](x))
        if self.interaction is not None:
            if pairs is None:
                raise ValueError("this model's atomic energies need the neighbour pairs")
            messages = self.interaction(inputs, pairs, len(species))
            inputs = {e: (i, torch.cat([x, messages[i]], 1)) for e, (i, x) in inputs.items()}
        energies = self.reference_energies[species].clone()
        if self.fidelities is not None:
            if fidelity is None:
                raise ValueError("a multi-fidelity model's energies need each atom's fidelity")
            one_hot = nn.functional.one_hot(fidelity, len(self.fidelities)).to(descriptors)
            inputs = {e: (i, torch.cat([x, one_hot[i]], 1)) for e, (i, x) in inputs.items()}
            energies = energies + self.fidelity_shifts[fidelity, species]
        for element, (index, x) in inputs.items():
            out = self.networks[element](x).squeeze(1)
            energies = energies.index_add(0, index, self.energy_scale * out)
        return energies

    @property
    def has_descriptor_ranges(self) -> bool:
        """Whether the training range of the descriptors is known (fitted, not an old file)."""
        return all(r.known for r in self.descriptor_ranges.values())

    def spec(self) -> dict:
        """Everything but the tensors: enough to rebuild the module before loading its state."""
        spec = {
            "descriptors": self.sfset.to_dict(),
            "networks": {e: asdict(s) for e, s in self.network_specs.items()},
            "dtype": str(self.dtype).removeprefix("torch."),
        }
        if self.interaction is not None:
            spec["interaction"] = asdict(self.interaction.spec)
        if self.fidelities is not None:
            spec["fidelities"] = self.fidelities.to_spec()
        return spec

    @classmethod
    def from_spec(cls, spec: dict) -> NeuralNetworkPotential:
        networks = {
            e: NetworkSpec(tuple(s["hidden"]), s["activation"]) for e, s in spec["networks"].items()
        }
        sfset = cls.descriptor_set_from_dict(spec["descriptors"])
        interaction = spec.get("interaction")
        if interaction is not None:
            interaction = InteractionSpec(**interaction)
        fidelities = Fidelities.from_spec(spec.get("fidelities"))
        return cls(sfset, networks, getattr(torch, spec["dtype"]), interaction, fidelities)

    def folded_fidelity(self, index: int) -> NeuralNetworkPotential:
        """A single-fidelity copy: the one-hot's columns of each first layer added to its
        bias, the fidelity's shift to the reference energies (exactly the same energies)."""
        spec = {k: v for k, v in self.spec().items() if k != "fidelities"}
        single = type(self).from_spec(spec)
        state = self.state_dict()
        shifts = state.pop("fidelity_shifts")
        state["reference_energies"] = state["reference_energies"] + shifts[index]
        n = len(self.fidelities)
        for element in self.elements:
            weight, bias = f"networks.{element}.0.weight", f"networks.{element}.0.bias"
            state[bias] = state[bias] + state[weight][:, index - n]
            state[weight] = state[weight][:, :-n]
        single.load_state_dict(state)
        single.metadata = getattr(self, "metadata", {})
        return single

    def widened_fidelity(self, fidelities: Fidelities, source: int,
                         shifts: torch.Tensor) -> NeuralNetworkPotential:
        """A multi-fidelity copy of this single-fidelity model (folded_fidelity's inverse):
        zero one-hot columns in each first layer, the reference energies moved so that
        fidelity `source` predicts exactly this model's energies and fidelity f those plus
        shifts[f, e] - shifts[source, e] per atom of element e; shifts (F, E): each
        fidelity's reference energies minus the target's."""
        wide = type(self).from_spec({**self.spec(), "fidelities": fidelities.to_spec()})
        state = self.state_dict()
        refs = state["reference_energies"]
        shifts = torch.as_tensor(shifts, dtype=refs.dtype)
        state["reference_energies"] = refs - shifts[source]
        state["fidelity_shifts"] = shifts
        for element in self.elements:
            weight = f"networks.{element}.0.weight"
            zeros = state[weight].new_zeros(len(state[weight]), len(fidelities))
            state[weight] = torch.cat([state[weight], zeros], dim=1)
        wide.load_state_dict(state)
        wide.metadata = getattr(self, "metadata", {})
        return wide

    @staticmethod
    def descriptor_set_from_dict(data: dict) -> SymmetryFunctionSet:
        return SymmetryFunctionSet.from_dict(data)

    @classmethod
    def evaluator(cls, models: Sequence[Potential], skin: float):
        from mlpot.models.evaluate import DescriptorEvaluator

        return DescriptorEvaluator(models, skin)

    @classmethod
    def check_committee(cls, models: Sequence[Potential], names: Sequence[str]) -> None:
        """Members share one descriptor set: descriptors are computed once for all."""
        first = models[0].sfset.to_dict()
        for model, name in zip(models[1:], names[1:], strict=True):
            if model.sfset.to_dict() != first:
                raise MlpotError(
                    f"{name}: its symmetry functions differ from those of {names[0]}; the "
                    "members of an ensemble must share one descriptor set (train them from "
                    "one config)"
                )


_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
