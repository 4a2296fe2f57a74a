"""The calculator of a GAP: MlpotCalculator's results plus the GP's own uncertainty,

    energy_std    eV     predictive standard deviation of the total energy
    energies_std  (N,)   eV, of each atom's energy

named like a committee's (mlpot.uncertainty.ensemble_calculator), so that `mlpot md` logs and
thresholds and `mlpot active` selection read them; computed only when asked for (one more
descriptor pass, no gradients)."""

from __future__ import annotations

import copy

import numpy as np
import torch
from ase.calculators.calculator import all_changes

from mlpot.calculators.calculator import MlpotCalculator
from mlpot.models.gap.variance import energy_variances
from mlpot.models.inputs import ModelInputs
from mlpot.neighbours.pairs import neighbour_pairs

UNCERTAINTY = ("energy_std", "energies_std")


class GapCalculator(MlpotCalculator):
    implemented_properties = [*MlpotCalculator.implemented_properties, *UNCERTAINTY]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        wanted = [p for p in properties if p not in UNCERTAINTY]
        super().calculate(atoms, wanted or ["energy"], system_changes)
        if len(wanted) < len(properties):
            local, total = self.variances(self.atoms)
            self.results["energies_std"] = np.sqrt(local)
            self.results["energy_std"] = float(np.sqrt(total))

    def variances(self, atoms) -> tuple[np.ndarray, float]:
        """(N,) atom and total energy variances (eV^2) of atoms under the (first) model."""
        model = self.model
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, model.cutoff)
        structure = model.structure_inputs(atoms.numbers, atoms.positions, atoms.cell.array,
                                           atoms.pbc, pairs)
        inputs = ModelInputs.of_structure(structure, atoms.cell.array, atoms.pbc, torch.float64)
        if model.dtype != torch.float64:
            model = copy.deepcopy(model).double()
        local, total = energy_variances(model, inputs, inputs.pair_vectors)
        return local.numpy(), total
