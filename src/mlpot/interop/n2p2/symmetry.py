"""Symmetry-function lines of input.nn, n2p2's internal order of them, and unit conversion.

n2p2 sorts each element's symmetry functions (Element::sortSymmetryFunctions, the operator< of
SymFncExpRad / SymFncExpAngn / SymFncExpAngw) by: type, cutoff type and alpha (the same for all
functions here), r_c, eta, r_s, then for angular functions zeta and lambda, then the neighbour
element indices (e1 <= e2, numbered by atomic number). scaling.data and the network inputs
follow that order, not the order of the lines.
"""

from __future__ import annotations

from dataclasses import replace

from mlpot.descriptors.symmetry_functions import (
    RadialG2,
    SymmetryFunction,
    neighbour_elements,
    parse_n2p2_line,
    range_problems,
)
from mlpot.interop.n2p2.settings import Entry, Settings

SUPPORTED_TYPES = {"2": "radial", "3": "narrow angular", "9": "wide angular"}


def read_symmetry_functions(
    settings: Settings, elements: tuple[str, ...]
) -> dict[str, list[SymmetryFunction]]:
    """Each element's `symfunction_short` functions in n2p2's order, in the file's units."""
    per_element: dict[str, list[tuple[SymmetryFunction, Entry]]] = {e: [] for e in elements}
    for entry in settings.all("symfunction_short"):
        sf = _parse(settings, entry, elements)
        per_element[sf.center].append((sf, entry))
    for element, found in per_element.items():
        if not found:
            raise settings.error(
                None,
                f"no symfunction_short lines for element {element}",
                "every element in 'elements' needs symmetry functions",
            )
    index = {e: n for n, e in enumerate(elements)}
    return {
        e: [sf for sf, _ in sorted(found, key=lambda item: n2p2_sort_key(item[0], index))]
        for e, found in per_element.items()
    }


def _parse(settings: Settings, entry: Entry, elements: tuple[str, ...]) -> SymmetryFunction:
    kind = entry.fields[1] if len(entry.fields) > 1 else "?"
    if kind not in SUPPORTED_TYPES:
        known = ", ".join(f"{t} ({name})" for t, name in SUPPORTED_TYPES.items())
        raise settings.error(
            entry,
            f"symmetry-function type {kind} is not supported",
            f"mlpot reads types {known}; convert the potential or retrain with those",
        )
    try:
        sf = parse_n2p2_line(" ".join(entry.fields))
    except ValueError as err:
        raise settings.error(entry, str(err), "see the n2p2 manual for the fields") from None
    problems = range_problems(sf)
    if problems:
        raise settings.error(entry, "; ".join(problems), "fix the parameters")
    for symbol in (sf.center, *neighbour_elements(sf)):
        if symbol not in elements:
            raise settings.error(
                entry,
                f"element '{symbol}' is not in 'elements' ({' '.join(elements)})",
                "add it to 'elements' and 'number_of_elements', or remove the line",
            )
    return sf


def n2p2_sort_key(sf: SymmetryFunction, element_index: dict[str, int]) -> tuple:
    """The key n2p2 sorts one element's functions by (see the module docstring)."""
    if isinstance(sf, RadialG2):
        return (sf.n2p2_type, sf.cutoff, sf.eta, sf.rs, element_index[sf.neighbor])
    e1, e2 = sorted(element_index[e] for e in sf.neighbors)
    return (sf.n2p2_type, sf.cutoff, sf.eta, sf.rs, sf.zeta, sf.lambda_, e1, e2)


def n2p2_permutation(functions, elements: tuple[str, ...]) -> list[int]:
    """Indices into `functions` (one element's) in n2p2's order."""
    index = {e: n for n, e in enumerate(elements)}
    return sorted(range(len(functions)), key=lambda k: n2p2_sort_key(functions[k], index))


def scale_lengths(sf: SymmetryFunction, length: float) -> SymmetryFunction:
    """The function with lengths multiplied by `length` (r_s, r_c times it, eta divided by its
    square): the same function of the same geometry in another length unit."""
    return replace(sf, eta=sf.eta / length**2, rs=sf.rs * length, cutoff=sf.cutoff * length)
