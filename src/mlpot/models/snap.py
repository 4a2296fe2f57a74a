"""Family "snap": the descriptor networks on LAMMPS's SNAP bispectrum (ML-IAP's `model nn`).

The same networks, scaling and training as family "nnp"; the descriptors B_i and dB_i/dr_p
come from LAMMPS in this process (mlpot.descriptors.lammps), with LAMMPS's own neighbour
pairs, and the model exports to `pair_style mliap` (mlpot.interop.lammps_mliap).
"""

from __future__ import annotations

import numpy as np

from mlpot.descriptors.lammps.bispectrum import SnapDescriptor
from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.models.nnp import DESCRIPTORS, PAIR_DERIVATIVES, NeuralNetworkPotential
from mlpot.models.potential import EXTRAPOLATION, StructureInputs, export_capability
from mlpot.neighbours.pairs import Pairs


class SnapNetworkPotential(NeuralNetworkPotential):
    """NeuralNetworkPotential whose descriptor set `sfset` is a SnapSettings."""

    family = "snap"
    engine_type = SnapDescriptor  # a LAMMPS instance, started once per model

    @property
    def capabilities(self) -> frozenset[str]:
        formats = ("n2p2", "simple-nn", "lammps")
        symmetry_function_only = {EXTRAPOLATION, *map(export_capability, formats)}
        return super().capabilities - symmetry_function_only | {export_capability("mliap")}

    def structure_inputs(self, numbers, positions, cell, pbc, pairs=None) -> StructureInputs:
        """LAMMPS's descriptors and pairs (`pairs` is not used)."""
        species = self.species(numbers)
        descriptors, snap_pairs = self.descriptor_engine.compute_with_derivatives(
            numbers, positions, cell, pbc
        )
        first = snap_pairs.first
        offsets = np.zeros(len(species) + 1, dtype=np.int64)
        np.cumsum(np.bincount(first, minlength=len(species)), out=offsets[1:])
        distances = np.linalg.norm(snap_pairs.vectors, axis=1)
        shifts = np.zeros((len(first), 3), dtype=np.int64)  # not known; not needed
        found = Pairs(first, snap_pairs.second, shifts, snap_pairs.vectors, distances, offsets)
        features = {DESCRIPTORS: descriptors, PAIR_DERIVATIVES: snap_pairs.derivatives}
        return StructureInputs(species, found, features)

    def atom_features(self, atoms) -> np.ndarray:
        """(N, F) scaled bispectrum components."""
        geometry = (atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc)
        return self.scaled(self.descriptor_engine.compute(*geometry), self.species(atoms.numbers))

    @staticmethod
    def descriptor_set_from_dict(data: dict) -> SnapSettings:
        return SnapSettings.from_dict(data)

    @classmethod
    def evaluator(cls, models, skin):
        from mlpot.models.evaluator import TorchEvaluator

        return TorchEvaluator(models, skin)

