"""The global keywords of input.nn: elements, free-atom energies, normalisation, cutoff shape.

n2p2 numbers elements by atomic number (its ElementMap sorts them), whatever the order of the
`elements` line; files, scaling lines and symmetry-function order follow that numbering.
"""

from __future__ import annotations

from dataclasses import dataclass

from ase.data import atomic_numbers

from mlpot.descriptors.cutoffs import CUTOFF_NAMES, CutoffFunction
from mlpot.interop.n2p2.settings import Settings

# n2p2 knows the elements H (1) to No (102)
MAX_ATOMIC_NUMBER = 102
# nnp_type values of short-range potentials (2G-HDNNP; 0 in older n2p2 versions)
SHORT_RANGE_TYPES = ("0", "2", "2G-HDNNP")


def n2p2_order(elements) -> tuple[str, ...]:
    """Elements sorted by atomic number, as n2p2 numbers them."""
    return tuple(sorted(elements, key=lambda e: atomic_numbers[e]))


def read_elements(settings: Settings) -> tuple[str, ...]:
    """The `elements` line, checked against `number_of_elements`, in n2p2's order."""
    entry = settings.require("elements", "add 'elements' with the chemical symbols")
    for symbol in entry.fields:
        if atomic_numbers.get(symbol, 0) not in range(1, MAX_ATOMIC_NUMBER + 1) or symbol == "X":
            raise settings.error(entry, f"unknown element '{symbol}'", "use chemical symbols")
    if len(set(entry.fields)) != len(entry.fields):
        raise settings.error(entry, "an element is listed twice", "list each element once")
    count = settings.get("number_of_elements")
    if count is not None and settings.number(count, 0, int) != len(entry.fields):
        raise settings.error(
            count,
            f"number_of_elements is {count.fields[0]} but 'elements' (line {entry.line}) "
            f"lists {len(entry.fields)}",
            "make them agree",
        )
    return n2p2_order(entry.fields)


def read_atom_energies(settings: Settings, elements: tuple[str, ...]) -> dict[str, float]:
    """`atom_energy E value` lines in the file's energy unit; 0 for elements without one."""
    energies = dict.fromkeys(elements, 0.0)
    seen: dict[str, int] = {}
    for entry in settings.all("atom_energy"):
        symbol = entry.fields[0] if entry.fields else ""
        if symbol not in energies:
            raise settings.error(
                entry, f"atom_energy for '{symbol}', which is not in 'elements'", "remove it"
            )
        if symbol in seen:
            raise settings.error(entry, f"second atom_energy for {symbol}", "keep one")
        seen[symbol] = entry.line
        energies[symbol] = settings.number(entry, 1)
    return energies


@dataclass(frozen=True)
class Normalisation:
    """n2p2's data-set normalisation: E_internal = conv_energy * (E - N * mean_energy),
    r_internal = conv_length * r, with E, r in the file's physical units."""

    mean_energy: float = 0.0
    conv_energy: float = 1.0
    conv_length: float = 1.0


NORMALISATION_KEYWORDS = ("mean_energy", "conv_energy", "conv_length")


def read_normalisation(settings: Settings) -> Normalisation:
    """All or none of mean_energy, conv_energy, conv_length (conv_charge is not needed)."""
    given = {k: settings.get(k) for k in NORMALISATION_KEYWORDS}
    present = [k for k, entry in given.items() if entry is not None]
    if not present:
        return Normalisation()
    if len(present) != len(NORMALISATION_KEYWORDS):
        missing = [k for k in NORMALISATION_KEYWORDS if k not in present]
        raise settings.error(
            given[present[0]],
            f"normalisation without {', '.join(missing)}",
            "give all of mean_energy, conv_energy and conv_length, or none",
        )
    values = {k: settings.number(entry, 0) for k, entry in given.items()}
    for key in ("conv_energy", "conv_length"):
        if values[key] <= 0:
            raise settings.error(given[key], f"{key} must be positive", "fix the value")
    return Normalisation(**values)


def read_cutoff(settings: Settings) -> CutoffFunction:
    """`cutoff_type code [alpha]` as mlpot's CutoffFunction."""
    entry = settings.require("cutoff_type", "add e.g. 'cutoff_type 1' (cosine)")
    code = settings.number(entry, 0, int)
    if code not in CUTOFF_NAMES:
        codes = ", ".join(f"{c} ({name})" for c, name in sorted(CUTOFF_NAMES.items()))
        raise settings.error(entry, f"unknown cutoff type {code}", f"choose one of {codes}")
    alpha = settings.number(entry, 1) if len(entry.fields) > 1 else 0.0
    if not 0.0 <= alpha < 1.0:
        raise settings.error(entry, f"cutoff alpha {alpha} outside [0, 1)", "fix the value")
    return CutoffFunction(CUTOFF_NAMES[code], alpha)


def check_short_range(settings: Settings) -> None:
    """Only short-range potentials (nnp_type 2G-HDNNP) have an mlpot equivalent."""
    entry = settings.get("nnp_type")
    if entry is not None and entry.fields and entry.fields[0] not in SHORT_RANGE_TYPES:
        raise settings.error(
            entry,
            f"nnp_type {entry.fields[0]} has charges or electrostatics",
            "mlpot reads short-range potentials (nnp_type 2G-HDNNP) only",
        )
