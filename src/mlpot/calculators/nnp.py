"""ASE calculator for mlpot neural network potentials."""

from __future__ import annotations

import numpy as np
from ase.calculators.calculator import Calculator, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from mlpot.descriptors.acsf import ACSF
from mlpot.errors import MlpotError
from mlpot.models.evaluate import evaluate_structure
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.neighbours.verlet import VerletList
from mlpot.uncertainty.extrapolation import count_extrapolations


class MlpotCalculator(Calculator):
    """energy, free_energy, energies (per atom), forces and stress of a NeuralNetworkPotential.

    skin (Å): the neighbour list is built at cutoff + skin and reused until an atom has moved
    more than skin / 2, which is what makes MD steps cheap.

    "extrapolation" (N,): per atom, the number of descriptors outside their training range;
    computed only when asked for (an extra descriptor pass), and only for models that store
    the range (those trained by this version).
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(self, model: NeuralNetworkPotential, skin: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.model = model.eval()
        self.acsf = ACSF(model.sfset)
        self.neighbours = VerletList(self.acsf.cutoff, skin)
        if model.has_descriptor_ranges:
            self.implemented_properties = [*type(self).implemented_properties, "extrapolation"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        species = self.acsf.species(atoms.numbers)
        pairs = self.neighbours.pairs(atoms.positions, atoms.cell.array, atoms.pbc)
        if "extrapolation" in properties:
            self.results["extrapolation"] = self._extrapolation(species, pairs)
            if set(properties) == {"extrapolation"}:
                return
        need_stress = "stress" in properties
        need_forces = "forces" in properties or need_stress
        result = evaluate_structure(
            self.model, self.acsf, species, pairs, forces=need_forces, virial=need_stress
        )
        self.results["energy"] = self.results["free_energy"] = result.energy
        self.results["energies"] = result.energies
        if result.forces is None:
            return
        self.results["forces"] = result.forces
        if not need_stress:
            return
        if not atoms.pbc.all():
            raise MlpotError("stress needs a cell periodic in all three directions")
        volume = atoms.get_volume()
        self.results["stress"] = full_3x3_to_voigt_6_stress(result.virial / volume)

    def _extrapolation(self, species, pairs) -> np.ndarray:
        descriptors = self.acsf.compute(species, pairs)[0]
        ranges = self.model.descriptor_ranges
        return count_extrapolations(ranges, self.model.elements, descriptors, species)
