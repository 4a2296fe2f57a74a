"""The high-dimensional neural network potential: one network per element, E = sum_i E_i."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.activations import activation
from mlpot.models.descriptor_range import DescriptorRange
from mlpot.models.interaction import InteractionSpec, MessagePairs, NeighbourMessages
from mlpot.models.scaling import DescriptorScaler


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


class NeuralNetworkPotential(nn.Module):
    """Behler-Parrinello potential over the descriptors of `sfset` (a SymmetryFunctionSet, or
    any descriptor definition with elements, n_features(element) and to_dict(), such as
    mlpot.descriptors.lammps.SnapSettings).

    E_i = scale * NN_e(preprocess_e(G_i)) + E_ref[e] for atom i of element e, in eV.
    With an `interaction`, NN_e also reads messages from i's neighbours
    (mlpot.models.interaction), and energies need the neighbour pairs.
    """

    def __init__(
        self,
        sfset: SymmetryFunctionSet,
        networks: dict[str, NetworkSpec],
        dtype: torch.dtype = torch.float64,
        interaction: InteractionSpec | None = None,
    ):
        super().__init__()
        self.sfset = sfset
        self.network_specs = {e: networks[e] for e in sfset.elements}
        self.scalers = nn.ModuleDict(
            {e: DescriptorScaler(sfset.n_features(e), dtype) for e in sfset.elements}
        )
        n_features = {e: sfset.n_features(e) for e in sfset.elements}
        self.interaction = None
        if interaction is not None:
            self.interaction = NeighbourMessages(n_features, interaction, sfset.cutoff, dtype)
        extra = interaction.features if interaction else 0
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

    @property
    def elements(self) -> tuple[str, ...]:
        return self.sfset.elements

    @property
    def dtype(self) -> torch.dtype:
        return self.reference_energies.dtype

    def atomic_energies(
        self, descriptors: torch.Tensor, species: torch.Tensor, pairs: MessagePairs | None = None
    ) -> torch.Tensor:
        """(A,) energies in eV from descriptors (A, F) and element indices (A,); a model with
        an interaction also needs its message pairs among those atoms."""
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
        return spec

    @classmethod
    def from_spec(cls, spec: dict) -> NeuralNetworkPotential:
        networks = {
            e: NetworkSpec(tuple(s["hidden"]), s["activation"]) for e, s in spec["networks"].items()
        }
        sfset = descriptor_set_from_dict(spec["descriptors"])
        interaction = spec.get("interaction")
        if interaction is not None:
            interaction = InteractionSpec(**interaction)
        return cls(sfset, networks, getattr(torch, spec["dtype"]), interaction)


def descriptor_set_from_dict(data: dict):
    """The descriptor definition of a model file: symmetry functions, or, with "kind": "snap",
    the SNAP bispectrum settings of mlpot.descriptors.lammps (computed by LAMMPS)."""
    if data.get("kind") == "snap":
        from mlpot.descriptors.lammps.settings import SnapSettings

        return SnapSettings.from_dict(data)
    return SymmetryFunctionSet.from_dict(data)
