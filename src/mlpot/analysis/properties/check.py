"""A property of a model next to the same property from a reference, as one JSON-ready record.

Every property result (EOSResult, ElasticResult, ...) offers
    summary()  -> the comparable numbers, units in their names (e.g. "bulk_modulus_GPa")
    to_dict()  -> everything computed, for the JSON file
    warnings() -> one-line notes on results to distrust (no convergence, drift, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from mlpot.analysis.properties.reference import Reference, compare
from mlpot.errors import MlpotError


class PropertyResult(Protocol):
    def summary(self) -> dict[str, Any]: ...

    def to_dict(self) -> dict[str, Any]: ...

    def warnings(self) -> list[str]: ...


R = TypeVar("R", bound=PropertyResult)


@dataclass
class Comparison(Generic[R]):
    """One check of the model, with the reference's result or numbers where given."""

    name: str
    model: R
    model_label: str
    reference: R | None = None  # the same check with a reference calculator
    reference_numbers: dict[str, Any] | None = None  # or the numbers of a reference file
    reference_label: str | None = None

    def reference_summary(self) -> dict[str, Any] | None:
        """The reference's comparable numbers, from its result or its file; None without."""
        if self.reference is not None:
            return self.reference.summary()
        return self.reference_numbers

    def differences(self) -> dict[str, Any]:
        """compare() of the model's summary with the reference's ({} without a reference)."""
        reference = self.reference_summary()
        if reference is None:
            return {}
        return compare(self.model.summary(), reference, self.reference_label or "reference")

    def warnings(self) -> list[str]:
        notes = [f"model: {note}" for note in self.model.warnings()]
        if self.reference is not None:
            notes += [f"reference: {note}" for note in self.reference.warnings()]
        return notes

    def to_dict(self, settings: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "check": self.name,
            "model": self.model_label,
            "settings": settings,
            "summary": self.model.summary(),
            "details": self.model.to_dict(),
        }
        if self.reference_label is not None:
            record["reference"] = {
                "source": self.reference_label,
                "kind": "calculator" if self.reference is not None else "numbers",
                "summary": self.reference_summary(),
            }
            if self.reference is not None:
                record["reference"]["details"] = self.reference.to_dict()
            record["comparison"] = self.differences()
        record["warnings"] = self.warnings()
        return record


def run_comparison(
    name: str,
    compute: Callable[[Any], R],
    calc: Any,
    model_label: str,
    reference: Reference | None = None,
    section: tuple[str, ...] = (),
) -> Comparison[R]:
    """compute(calc) for the model and, with a reference calculator, compute(reference).

    A numbers reference supplies its section (default: the section named name).
    """
    numbers = None
    if reference is not None and reference.calculator is None:
        numbers = reference.section(*(section or (name,)))  # a missing section fails first
    comparison = Comparison(
        name,
        _labelled(compute, calc, f"model {model_label}"),
        model_label,
        reference_numbers=numbers,
        reference_label=None if reference is None else reference.label,
    )
    if reference is not None and reference.calculator is not None:
        comparison.reference = _labelled(
            compute, reference.calculator, f"reference {reference.label}"
        )
    comparison.differences()  # unknown reference names fail here, before any file is written
    return comparison


def _labelled(compute: Callable[[Any], R], calc: Any, label: str) -> R:
    """compute(calc), with errors saying whose result failed."""
    try:
        return compute(calc)
    except MlpotError as exc:
        raise MlpotError(f"{label}: {exc}") from exc
