"""The equivariant many-body message-passing potential (MACE/NequIP design space).

    species (A,), pairs (first, second, vectors (P, 3) Å)
      -> one-hot element embedding h_i (A, channels x 0e) (+ the structure's one-hot fidelity
         embedding, for a multi-fidelity model)
      -> per pair: spherical harmonics Y(r_p) to l_max, learned radial features R(|r_p|)
      -> interaction layers (1..3): densities, many-body products, node update, readout
      -> E_i = scale[z_i] * sum over layers of readouts + shift[z_i] + reference[z_i]   (eV)
         (+ reference shift[fidelity, z_i] for a multi-fidelity model)

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
from mlpot.models.fidelity import Fidelities
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import ATOM_FEATURES, MULTI_FIDELITY, Potential

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
        fidelities: Fidelities | None = None,
    ) -> None:
        super().__init__()
        self._fidelities = fidelities
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
        # a one-hot fidelity into the node embedding, and per-fidelity reference shifts (None
        # for one fidelity: TorchScript then leaves out the branches that use them)
        self.fidelity_embedding: torch.nn.Parameter | None = None
        shifts = None
        if fidelities is not None:
            f = len(fidelities)
            self.fidelity_embedding = torch.nn.Parameter(torch.randn(f, settings.channels))
            shifts = torch.zeros(f, n)
        self.register_buffer("fidelity_shifts", shifts)
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
        fidelity = None
        if self.fidelities is not None:
            fidelity = inputs.fidelity[inputs.atom_structure]
        return self.graph_energies(
            inputs.species, inputs.pair_first, inputs.pair_second, vectors, fidelity
        )

    def graph_energies(
        self,
        species: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
        fidelity: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """(A,) eV from species (A,) long, pairs first, second (P,) long and vectors (P, 3) Å
        (r_second - r_first + shift; every ordered pair once per periodic image); a
        multi-fidelity model also reads each atom's fidelity index (A,) long."""
        energies = self._propagate(species, first, second, vectors, fidelity)[1]
        scaled = energies * self.energy_scale[species] + self.energy_shift[species]
        shifts = self.fidelity_shifts
        if shifts is not None and fidelity is not None:
            scaled = scaled + shifts[fidelity, species]
        return scaled + self.reference_energies[species]

    def _propagate(
        self,
        species: torch.Tensor,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
        fidelity: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(last layer's node features (A, channels), unscaled energies summed over layers)."""
        distances = torch.linalg.vector_norm(vectors, dim=1)
        radial = self.radial(distances)
        edges = make_edges(first, second, self.harmonics(vectors), radial, species.shape[0])
        features = self.embedding[species]
        embedding = self.fidelity_embedding
        if embedding is not None:
            if fidelity is None:
                raise ValueError("a multi-fidelity model's energies need each atom's fidelity")
            features = features + embedding[fidelity]
        energies = torch.zeros_like(features[:, 0])
        for layer in self.layers:
            features, terms = layer(features, species, edges)
            energies = energies + terms
        return features, energies

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({ATOM_FEATURES, MULTI_FIDELITY})

    def folded_fidelity(self, index: int) -> EquivariantPotential:
        """A single-fidelity copy: the fidelity's embedding added to every element's, its
        reference shift to the reference energies (exactly the same energies)."""
        spec = {k: v for k, v in self.spec().items() if k != "fidelities"}
        single = type(self).from_spec(spec)
        state = self.state_dict()
        state["embedding"] = state["embedding"] + state.pop("fidelity_embedding")[index]
        shifts = state.pop("fidelity_shifts")
        state["reference_energies"] = state["reference_energies"] + shifts[index]
        single.load_state_dict(state)
        single.metadata = getattr(self, "metadata", {})
        return single

    def atom_features(self, atoms) -> np.ndarray:
        """(N, channels) invariant node features of the last interaction layer (at the target
        fidelity of a multi-fidelity model)."""
        if self.fidelities is not None:
            return self.at_fidelity().atom_features(atoms)
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
            **({"fidelities": self.fidelities.to_spec()} if self.fidelities else {}),
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
            Fidelities.from_spec(spec.get("fidelities")),
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
