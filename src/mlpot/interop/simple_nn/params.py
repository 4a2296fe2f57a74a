"""SIMPLE-NN `params_XX` files: the symmetry functions of one central element, one per line.

Seven columns: type (2, 4 or 5), the 1-based indices of the neighbour elements in input.yaml's
`atom_types` (the second is 0 for G2), R_c (Å), eta (1/Å^2), then R_s for G2 or zeta for
G4/G5, and lambda for G4/G5 (0 for G2):

    2 1 0 6.0 0.003214 0.0 0.0
    4 1 2 6.0 0.089277 1.0 -1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlpot.descriptors.symmetry_functions import SymmetryFunction
from mlpot.errors import MlpotError
from mlpot.interop.simple_nn.functions import (
    RADIAL,
    SimpleNNFunction,
    from_mlpot,
    to_mlpot,
)
from mlpot.interop.simple_nn.textfiles import TokenLines, write_atomically

COLUMNS = 7
PREFIX = "params_"


def read_params(
    path: str | Path, elements: Sequence[str], center: str | None = None
) -> list[SymmetryFunction]:
    """The symmetry functions of a params file, in its order, as mlpot functions.

    elements: input.yaml's `atom_types` (what the indices count); center: the central element,
    by default the name after "params_" in the file name (params_Si -> Si).
    """
    path = Path(path)
    center = center or _center_from_name(path, elements)
    lines = TokenLines(path, "SIMPLE-NN params")
    functions = []
    while lines:
        tokens = lines.next("a symmetry function")
        if len(tokens) != COLUMNS:
            raise lines.error(
                f"expected {COLUMNS} columns (type, atom type 1, atom type 2, R_c, eta, "
                f"R_s or zeta, lambda), found {len(tokens)}"
            )
        kind = lines.kind(tokens[0])
        count = 1 if kind == RADIAL else 2
        neighbours = tuple(
            _element(lines, tokens[1 + n], elements, f"atom type {n + 1}") for n in range(count)
        )
        numbers = [lines.number(token, "a parameter") for token in tokens[3:]]
        function = SimpleNNFunction(kind, neighbours, *numbers)
        functions.append(lines.checked(to_mlpot, center, function))
    if not functions:
        raise MlpotError(f"{path}: no symmetry functions in the file; write one per line")
    return functions


def write_params(
    functions: Sequence[SymmetryFunction], elements: Sequence[str], path: str | Path
) -> Path:
    """Write the functions of one central element as a params file; elements are the
    `atom_types` the indices refer to. Raises MlpotError for a function SIMPLE-NN lacks."""
    elements = list(elements)
    rows = []
    for sf in functions:
        try:
            row = from_mlpot(sf)
        except ValueError as err:
            raise MlpotError(f"cannot write {path}: {err}") from None
        missing = [e for e in row.neighbours if e not in elements]
        if missing:
            raise MlpotError(
                f"cannot write {path}: '{sf.n2p2_line()}' uses {missing[0]}, "
                f"not in the atom types {', '.join(elements)}"
            )
        indices = sorted(elements.index(e) + 1 for e in row.neighbours) + [0]
        numbers = map(repr, map(float, (row.cutoff, row.eta, row.third, row.fourth)))
        rows.append(" ".join([str(row.kind), str(indices[0]), str(indices[1]), *numbers]))
    return write_atomically(Path(path), "\n".join(rows) + "\n")


def _center_from_name(path: Path, elements: Sequence[str]) -> str:
    name = path.name.removeprefix(PREFIX)
    if path.name.startswith(PREFIX) and name in elements:
        return name
    raise MlpotError(
        f"{path}: cannot tell the central element from the file name; name it params_X with X "
        f"one of {', '.join(elements)}, or give the element"
    )


def _element(lines: TokenLines, token: str, elements: Sequence[str], name: str) -> str:
    index = lines.integer(token, name)
    if not 1 <= index <= len(elements):
        raise lines.error(
            f"{name} is {index}, but atom_types lists {len(elements)} element(s) "
            f"({', '.join(elements)}); use 1 to {len(elements)}"
        )
    return elements[index - 1]
