"""The high-dimensional neural network potential: one network per element, E = sum_i E_i."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.activations import activation
from mlpot.models.scaling import DescriptorScaler


@dataclass(frozen=True)
class NetworkSpec:
    """Hidden layer sizes and activation of one element's network (output layer is linear)."""

    hidden: tuple[int, ...] = (24, 24)
    activation: str = "tanh"


def build_network(n_inputs: int, spec: NetworkSpec, dtype: torch.dtype) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_inputs
    for size in spec.hidden:
        layers += [nn.Linear(width, size, dtype=dtype), activation(spec.activation)]
        width = size
    layers.append(nn.Linear(width, 1, dtype=dtype))
    return nn.Sequential(*layers)


class NeuralNetworkPotential(nn.Module):
    """Behler-Parrinello potential over the descriptors of `sfset`.

    E_i = scale * NN_e(preprocess_e(G_i)) + E_ref[e] for atom i of element e, in eV.
    """

    def __init__(
        self,
        sfset: SymmetryFunctionSet,
        networks: dict[str, NetworkSpec],
        dtype: torch.dtype = torch.float64,
    ):
        super().__init__()
        self.sfset = sfset
        self.network_specs = {e: networks[e] for e in sfset.elements}
        self.scalers = nn.ModuleDict(
            {e: DescriptorScaler(sfset.n_features(e), dtype) for e in sfset.elements}
        )
        self.networks = nn.ModuleDict(
            {e: build_network(sfset.n_features(e), networks[e], dtype) for e in sfset.elements}
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

    def atomic_energies(self, descriptors: torch.Tensor, species: torch.Tensor) -> torch.Tensor:
        """(A,) energies in eV from descriptors (A, F) and element indices (A,)."""
        energies = self.reference_energies[species].clone()
        for e, element in enumerate(self.elements):
            index = torch.nonzero(species == e).squeeze(1)
            if len(index) == 0:
                continue
            x = descriptors[index, : self.sfset.n_features(element)]
            out = self.networks[element](self.scalers[element](x)).squeeze(1)
            energies = energies.index_add(0, index, self.energy_scale * out)
        return energies

    def spec(self) -> dict:
        """Everything but the tensors: enough to rebuild the module before loading its state."""
        return {
            "descriptors": self.sfset.to_dict(),
            "networks": {e: asdict(s) for e, s in self.network_specs.items()},
            "dtype": str(self.dtype).removeprefix("torch."),
        }

    @classmethod
    def from_spec(cls, spec: dict) -> NeuralNetworkPotential:
        networks = {
            e: NetworkSpec(tuple(s["hidden"]), s["activation"]) for e, s in spec["networks"].items()
        }
        sfset = SymmetryFunctionSet.from_dict(spec["descriptors"])
        return cls(sfset, networks, getattr(torch, spec["dtype"]))
