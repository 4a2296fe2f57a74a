"""ASE calculator for a committee of potentials: the mean prediction and its spread."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np

from mlpot.calculators.calculator import DERIVED, MlpotCalculator
from mlpot.models.evaluator import Evaluation

# results that need the members' forces
_FORCE_RESULTS = {"forces", "stress", "forces_deviation", "max_force_deviation"}


class EnsembleCalculator(MlpotCalculator):
    """A committee of K potentials of one family (MlpotCalculator with several models).

    Results: the committee mean "energy", "free_energy", "energies" (N,), "forces" (N, 3) and
    "stress" (6,), in eV, eV/Å and eV/Å^3, and its spread (population standard deviations over
    the K members):
        "energy_std" (eV), "energies_std" (N,) eV,
        "forces_deviation" (N,) eV/Å = sqrt(mean_k |F_k,i - mean_k F_k,i|^2),
        "max_force_deviation" (eV/Å), the largest of forces_deviation,
        "extrapolation" (N,): per atom, the inputs outside the range the members saw in
        training (the union of their ranges); absent when a member stores no range.
    skin (Å): Verlet-list skin, fidelity: of multi-fidelity members, as for MlpotCalculator.
    """

    implemented_properties = [
        "energy", "free_energy", "energies", "forces", "stress",
        "energy_std", "energies_std", "forces_deviation", "max_force_deviation", "extrapolation",
    ]  # fmt: skip

    def __init__(
        self,
        models: Sequence,
        skin: float = 1.0,
        names: Sequence[str] | None = None,
        fidelity: str | None = None,
        **kwargs,
    ):
        super().__init__(list(models), skin, names, fidelity, **kwargs)

    def outputs(self, properties) -> set[str]:
        outputs = {p for p in properties if p in DERIVED}
        if _FORCE_RESULTS & set(properties):
            outputs.add("forces")
        if "extrapolation" in self.implemented_properties:
            outputs.add("extrapolation")
        return outputs

    def store(self, evaluation: Evaluation) -> None:
        super().store(evaluation)
        self.results["energy_std"] = float(evaluation.energies.sum(1).std())
        self.results["energies_std"] = evaluation.energies.std(0)
        if evaluation.forces is None:
            return
        spread = evaluation.forces - evaluation.forces.mean(0)
        deviation = np.sqrt((spread**2).sum(2).mean(0))
        self.results["forces_deviation"] = deviation
        self.results["max_force_deviation"] = float(deviation.max(initial=0.0))


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
