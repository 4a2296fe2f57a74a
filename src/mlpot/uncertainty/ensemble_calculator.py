"""ASE calculator for a committee of potentials: the mean prediction and its spread."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from ase.calculators.calculator import Calculator, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from mlpot.descriptors.acsf import ACSF
from mlpot.errors import MlpotError
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.neighbours.verlet import VerletList
from mlpot.uncertainty.committee import (
    check_shared_descriptors,
    committee_statistics,
    evaluate_committee,
)
from mlpot.uncertainty.extrapolation import count_extrapolations, union_range

# results that need the members' forces
_FORCE_RESULTS = {"forces", "stress", "forces_deviation", "max_force_deviation"}


class EnsembleCalculator(Calculator):
    """A committee of NeuralNetworkPotentials sharing one descriptor set.

    Results: the committee mean "energy", "free_energy", "energies" (N,), "forces" (N, 3) and
    "stress" (6,), in eV, eV/Å and eV/Å^3, and its spread (population standard deviations over
    the K members):
        "energy_std" (eV), "energies_std" (N,) eV,
        "forces_deviation" (N,) eV/Å = sqrt(mean_k |F_k,i - mean_k F_k,i|^2),
        "max_force_deviation" (eV/Å), the largest of forces_deviation,
        "extrapolation" (N,): per atom, the descriptors outside the range the members saw in
        training (the union of their ranges); absent when a member stores no range.
    skin (Å): Verlet-list skin, as for MlpotCalculator.
    """

    implemented_properties = [
        "energy", "free_energy", "energies", "forces", "stress",
        "energy_std", "energies_std", "forces_deviation", "max_force_deviation", "extrapolation",
    ]  # fmt: skip

    def __init__(
        self,
        models: Sequence[NeuralNetworkPotential],
        skin: float = 1.0,
        names: Sequence[str] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        names = list(names) if names is not None else [f"member {k}" for k in range(len(models))]
        check_shared_descriptors(models, names)
        self.models = [model.eval() for model in models]
        self.acsf = ACSF(models[0].sfset)
        self.neighbours = VerletList(self.acsf.cutoff, skin)
        self.ranges = None
        if all(model.has_descriptor_ranges for model in models):
            self.ranges = {
                e: union_range([m.descriptor_ranges[e] for m in models]) for e in self.elements
            }
        else:
            self.implemented_properties = [
                p for p in type(self).implemented_properties if p != "extrapolation"
            ]

    @property
    def elements(self) -> tuple[str, ...]:
        return self.acsf.sfset.elements

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        species = self.acsf.species(atoms.numbers)
        pairs = self.neighbours.pairs(atoms.positions, atoms.cell.array, atoms.pbc)
        need_stress = "stress" in properties
        if need_stress and not atoms.pbc.all():
            raise MlpotError("stress needs a cell periodic in all three directions")
        need_forces = bool(_FORCE_RESULTS & set(properties))
        result = evaluate_committee(
            self.models, self.acsf, species, pairs, forces=need_forces, virial=need_stress
        )
        stats = committee_statistics(result)
        self.results.update(
            energy=stats.energy,
            free_energy=stats.energy,
            energies=stats.energies,
            energy_std=stats.energy_std,
            energies_std=stats.energies_std,
        )
        if self.ranges is not None:
            self.results["extrapolation"] = count_extrapolations(
                self.ranges, self.elements, result.descriptors, species
            )
        if stats.forces is None:
            return
        self.results["forces"] = stats.forces
        self.results["forces_deviation"] = stats.forces_deviation
        self.results["max_force_deviation"] = float(stats.forces_deviation.max(initial=0.0))
        if need_stress:
            virial = stats.virial / atoms.get_volume()
            self.results["stress"] = full_3x3_to_voigt_6_stress(virial)


def load_ensemble_calculator(
    paths: Sequence[str | PathLike] | str | PathLike, **kwargs
) -> EnsembleCalculator:
    """An EnsembleCalculator of the model files `paths`, or of the models an ensemble.json
    (written by train_ensemble) lists; kwargs go to EnsembleCalculator."""
    from mlpot.models.serialization import load_model
    from mlpot.uncertainty.manifest import manifest_models

    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    files: list[Path] = []
    for path in map(Path, paths):
        files += manifest_models(path) if path.suffix == ".json" else [path]
    models = [load_model(path) for path in files]
    return EnsembleCalculator(models, names=[str(path) for path in files], **kwargs)
