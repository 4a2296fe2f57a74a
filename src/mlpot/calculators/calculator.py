"""The ASE calculator of every mlpot model family, for one model or a committee."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from mlpot.errors import MlpotError
from mlpot.models.evaluator import Evaluation
from mlpot.models.potential import EXTRAPOLATION, Potential
from mlpot.models.predict import DERIVED


class MlpotCalculator(Calculator):
    """energy, free_energy, energies (per atom), forces and stress of a Potential of any
    family, in eV, eV/Å and eV/Å^3 (ASE's sign); stress only for cells periodic in all three
    directions.

    skin (Å): the neighbour list is built at cutoff + skin and reused until an atom has moved
    more than skin / 2, which is what makes MD steps cheap.

    "extrapolation" (N,): per atom, the number of inputs outside their training range, for
    models with that capability; computed only when asked for (an extra descriptor pass).

    fidelity: of a multi-fidelity model (mlpot.models.fidelity), the fidelity to predict at
    (None: the target fidelity of its training config); refused for single-fidelity models.
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(
        self,
        model: Potential | Sequence[Potential],
        skin: float = 1.0,
        names: Sequence[str] | None = None,
        fidelity: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        models = [model] if isinstance(model, Potential) else list(model)
        names = list(names) if names is not None else [f"member {k}" for k in range(len(models))]
        self.fidelities = models[0].fidelities if models else None
        self.fidelity = fidelity
        models = [m.at_fidelity(fidelity) for m in models]
        check_committee(models, names)
        self.models = [m.eval() for m in models]
        self.evaluator = type(models[0]).evaluator(self.models, skin)
        if not all(EXTRAPOLATION in m.capabilities for m in models):
            self.implemented_properties = [
                p for p in type(self).implemented_properties if p != "extrapolation"
            ]
        elif "extrapolation" not in self.implemented_properties:
            self.implemented_properties = [*type(self).implemented_properties, "extrapolation"]

    @property
    def model(self) -> Potential:
        """The (first) model."""
        return self.models[0]

    @property
    def elements(self) -> tuple[str, ...]:
        return self.models[0].elements

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if "stress" in properties and not self.atoms.pbc.all():
            raise MlpotError("stress needs a cell periodic in all three directions")
        if set(properties) == {"extrapolation"}:
            evaluation = self.evaluator(self.atoms, {"extrapolation"})
            self.results["extrapolation"] = evaluation.extrapolation
            return
        self.store(self.evaluator(self.atoms, self.outputs(properties)))

    def outputs(self, properties) -> set[str]:
        """What the evaluator computes for the asked-for properties."""
        return {p for p in properties if p in DERIVED | {"extrapolation"}}

    def store(self, evaluation: Evaluation) -> None:
        """The (committee mean) results of an evaluation."""
        energy = float(_mean(evaluation.energies.sum(1)))
        self.results.update(energy=energy, free_energy=energy)
        self.results["energies"] = _mean(evaluation.energies)
        if evaluation.extrapolation is not None:
            self.results["extrapolation"] = evaluation.extrapolation
        if evaluation.forces is not None:
            self.results["forces"] = _mean(evaluation.forces)
        if evaluation.stress is not None:
            self.results["stress"] = _mean(evaluation.stress)


def _mean(values: np.ndarray) -> np.ndarray:
    """The mean over members (axis 0); one member's values as they are (MD's common case)."""
    return values[0] if len(values) == 1 else values.mean(0)


def check_committee(models: Sequence[Potential], names: Sequence[str]) -> None:
    """Raise MlpotError unless `models` (at least one) are one family that can share work."""
    if not models:
        raise MlpotError("a calculator needs at least one model")
    for model, name in zip(models[1:], names[1:], strict=True):
        if type(model) is not type(models[0]):
            raise MlpotError(
                f"{name} is {model.description}, {names[0]} {models[0].description}: a "
                "committee holds models of one family"
            )
    type(models[0]).check_committee(models, names)
