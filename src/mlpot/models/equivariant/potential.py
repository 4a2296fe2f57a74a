"""The equivariant many-body message-passing potential (MACE/NequIP design space).

    species (A,), pairs (first, second, vectors (P, 3) Å)
      -> one-hot element embedding h_i (A, channels x 0e)
      -> per pair: spherical harmonics Y(r_p) to l_max, learned radial features R(|r_p|)
      -> interaction layers (1..3): densities, many-body products, node update, readout
      -> E_i = scale[z_i] * sum over layers of readouts + shift[z_i] + reference[z_i]   (eV)

The energy depends on positions only through `vectors`, so forces and stress follow from
autograd with respect to `vectors` (mlpot.models.forces).
"""

from __future__ import annotations

import numpy as np
import torch
from e3nn import o3

from mlpot.errors import MlpotError
from mlpot.models.equivariant.density import make_edges
from mlpot.models.equivariant.interaction import InteractionLayer
from mlpot.models.equivariant.radial import RadialNetwork
from mlpot.models.equivariant.settings import EquivariantSettings
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import ATOM_FEATURES, Potential

SPEC_VERSION = 1
DTYPES = {"float32": torch.float32, "float64": torch.float64}


class EquivariantPotential(Potential):
    """Atomic energies (eV) of an E(3)-invariant many-body message-passing model (family
    "equivariant")."""

    family = "equivariant"

    def __init__(
        self,
        elements: tuple[str, ...],
        cutoff: float,
        settings: EquivariantSettings,
        dtype: torch.dtype = torch.float64,
    ) -> None:
        super().__init__()
        if len(elements) == 0 or len(set(elements)) != len(elements):
            raise MlpotError(
                f"equivariant model: elements must be distinct and not empty, got {elements}"
            )
        if cutoff <= 0:
            raise MlpotError(f"equivariant model: cutoff must be > 0 Å, got {cutoff}")
        self._elements = tuple(elements)
        self._cutoff = float(cutoff)
        self.settings = settings
        n = len(elements)
        self.embedding = torch.nn.Parameter(torch.randn(n, settings.channels))
        self.harmonics = o3.SphericalHarmonics(
            settings.edge_irreps(), normalize=True, normalization="component"
        )
        self.radial = RadialNetwork(
            cutoff, settings.radial_basis, settings.radial_hidden, settings.envelope_p, dtype
        )
        self.layers = torch.nn.ModuleList(_layers(settings, self.radial.n_features, n))
        self.register_buffer("reference_energies", torch.zeros(n))
        self.register_buffer("energy_scale", torch.ones(n))
        self.register_buffer("energy_shift", torch.zeros(n))
        self.to(dtype)

    @property
    def elements(self) -> tuple[str, ...]:
        return self._elements

    @property
    def cutoff(self) -> float:
        return self._cutoff

    @property
    def receptive_field(self) -> float:
        return self.settings.interactions * self._cutoff

    def atomic_energies(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        return self.graph_energies(inputs.species, inputs.pair_first, inputs.pair_second, vectors)

    def graph_energies(
        self,
        species: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
    ) -> torch.Tensor:
        """(A,) eV from species (A,) long, pairs first, second (P,) long and vectors (P, 3) Å
        (r_second - r_first + shift; every ordered pair once per periodic image)."""
        energies = self._propagate(species, first, second, vectors)[1]
        scaled = energies * self.energy_scale[species] + self.energy_shift[species]
        return scaled + self.reference_energies[species]

    def _propagate(
        self,
        species: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(last layer's node features (A, channels), unscaled energies summed over layers)."""
        distances = torch.linalg.vector_norm(vectors, dim=1)
        radial = self.radial(distances)
        edges = make_edges(first, second, self.harmonics(vectors), radial, species.shape[0])
        features = self.embedding[species]
        energies = torch.zeros_like(features[:, 0])
        for layer in self.layers:
            features, terms = layer(features, species, edges)
            energies = energies + terms
        return features, energies

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({ATOM_FEATURES})

    def atom_features(self, atoms) -> np.ndarray:
        """(N, channels) invariant node features of the last interaction layer."""
        structure = self.structure_inputs(
            atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc
        )
        inputs = ModelInputs.of_structure(structure, atoms.cell.array, atoms.pbc, self.dtype)
        inputs = inputs.to(self.device)
        with torch.no_grad():
            features = self._propagate(
                inputs.species, inputs.pair_first, inputs.pair_second, inputs.pair_vectors
            )[0]
        return features.double().cpu().numpy()

    def forward(
        self,
        species: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
    ) -> torch.Tensor:
        """The same as graph_energies (for export and scripting)."""
        return self.graph_energies(species, first, second, vectors)

    def spec(self) -> dict:
        """Plain data (JSON-able) that rebuilds this module (before load_state_dict)."""
        dtype = {v: k for k, v in DTYPES.items()}[self.reference_energies.dtype]
        return {
            "family": "equivariant",
            "version": SPEC_VERSION,
            "elements": list(self.elements),
            "cutoff": self.cutoff,
            "settings": self.settings.as_dict(),
            "dtype": dtype,
        }

    @classmethod
    def from_spec(cls, spec: dict) -> EquivariantPotential:
        """The module described by `spec` (weights random until load_state_dict)."""
        if spec.get("family") != "equivariant" or spec.get("version") != SPEC_VERSION:
            raise MlpotError(
                f"not an equivariant model spec of version {SPEC_VERSION}: family "
                f"{spec.get('family')!r}, version {spec.get('version')!r}"
            )
        return cls(
            tuple(spec["elements"]),
            float(spec["cutoff"]),
            EquivariantSettings(**spec["settings"]),
            DTYPES[spec["dtype"]],
        )


def _layers(settings: EquivariantSettings, radial_features: int, n_elements: int) -> list:
    layers = []
    node_irreps = o3.Irreps(f"{settings.channels}x0e")
    for k in range(settings.interactions):
        last = k == settings.interactions - 1
        out = settings.scalar_irreps() if last else settings.hidden_irreps()
        layers.append(
            InteractionLayer(node_irreps, out, settings, radial_features, n_elements, last)
        )
        node_irreps = out
    return layers
