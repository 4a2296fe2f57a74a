"""ASE calculator for models on the SNAP bispectrum, whose descriptors LAMMPS computes.

The same numbers as `pair_style mliap model nn ... descriptor sna ...` with the exported
model: LAMMPS (in this process, one rank) gives B_i and dB_i/dr_ij, torch gives E_i and
dE/dB_i, and forces and stress follow from the pair gradients (mlpot.models.forces).
"""

from __future__ import annotations

import torch
from ase.calculators.calculator import Calculator, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from mlpot.descriptors.lammps.bispectrum import SnapDescriptor
from mlpot.errors import MlpotError
from mlpot.models.forces import forces_from_pair_gradients, virials_from_pair_gradients
from mlpot.models.nnp import NeuralNetworkPotential


class SnapCalculator(Calculator):
    """energy, free_energy, energies (per atom), forces and stress of a NeuralNetworkPotential
    whose descriptor set is mlpot.descriptors.lammps.SnapSettings."""

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(self, model: NeuralNetworkPotential, **kwargs):
        super().__init__(**kwargs)
        if getattr(model.sfset, "kind", None) != "snap":
            raise MlpotError(
                "SnapCalculator needs a model on SNAP descriptors; use MlpotCalculator"
            )
        self.model = model.eval()
        self.descriptor = SnapDescriptor(model.sfset)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        need_stress = "stress" in properties
        if need_stress and not atoms.pbc.all():
            raise MlpotError("stress needs a cell periodic in all three directions")
        need_forces = "forces" in properties or need_stress
        geometry = (atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc)
        species = torch.from_numpy(self.descriptor.species(atoms.numbers))
        if not need_forces:
            with torch.no_grad():
                g = torch.from_numpy(self.descriptor.compute(*geometry)).to(self.model.dtype)
                self._store_energies(self.model.atomic_energies(g, species))
            return
        descriptors, pairs = self.descriptor.compute_with_derivatives(*geometry)
        with torch.enable_grad():  # also under a caller's torch.no_grad()
            g = torch.from_numpy(descriptors).to(self.model.dtype).requires_grad_(True)
            energies = self.model.atomic_energies(g, species)
            (dedg,) = torch.autograd.grad(energies.sum(), g)
        self._store_energies(energies.detach())
        first = torch.from_numpy(pairs.first)
        derivatives = torch.from_numpy(pairs.derivatives)
        pair_grad = torch.einsum("pfx,pf->px", derivatives, dedg.double()[first])
        second = torch.from_numpy(pairs.second)
        forces = forces_from_pair_gradients(pair_grad, first, second, len(atoms))
        self.results["forces"] = forces.numpy()
        if need_stress:
            vectors = torch.from_numpy(pairs.vectors)
            virial = virials_from_pair_gradients(pair_grad, vectors, torch.zeros_like(first), 1)
            stress = virial[0].numpy() / atoms.get_volume()
            self.results["stress"] = full_3x3_to_voigt_6_stress(stress)

    def _store_energies(self, energies: torch.Tensor) -> None:
        e = energies.double().numpy()
        self.results["energies"] = e
        self.results["energy"] = self.results["free_energy"] = float(e.sum())
