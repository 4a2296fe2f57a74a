"""SIMPLE-NN's `potential_saved` file (LAMMPS `pair_style nn`), read and written as plain data.

    ELEM_LIST Si O
    POT Si 6.0                       element, neighbour cutoff (Å)
    SYM 2                            number of symmetry functions, then one per line:
    2 6.0 0.003214 0.0 0.0 O         type, R_c, eta, R_s or zeta, lambda, neighbour element(s)
    4 6.0 0.089277 1.0 -1.0 Si O
    scale1 0.12 0.4                  the network sees (G - scale1) / scale2
    scale2 0.05 0.2
    NET 2 30 30 1                    number of layers - 1, then the width of each layer
    LAYER 0 tanh                     activation (linear, sigmoid, tanh, relu, selu, swish);
    w0 0.1 -0.3                      "LAYER 0 linear PCA" marks an optional PCA layer
    b0 0.02                          one w (the node's input weights) and one b line per node
    ...
    LAYER 2 linear                   the last layer has one node: the atomic energy in eV

followed by the next POT block. Units: eV and Å, as mlpot's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mlpot.descriptors.symmetry_functions import SymmetryFunction
from mlpot.interop.simple_nn.activations import TO_MLPOT
from mlpot.interop.simple_nn.functions import RADIAL, SimpleNNFunction, from_mlpot, to_mlpot
from mlpot.interop.simple_nn.textfiles import TokenLines

ACTIVATIONS = tuple(TO_MLPOT)  # SIMPLE-NN's names
PCA_TAG = "PCA"


class Layer(NamedTuple):
    """One dense layer: y = activation(weights @ x + biases)."""

    activation: str  # SIMPLE-NN's name
    weights: np.ndarray  # (n_out, n_in)
    biases: np.ndarray  # (n_out,)
    pca: bool = False  # tagged as the PCA transformation
    line: int = 0  # its LAYER line in the file read (0: not read from a file)


class ElementPotential(NamedTuple):
    """The POT block of one element."""

    element: str
    cutoff: float  # Å
    functions: tuple[SymmetryFunction, ...]  # as mlpot functions (exact equivalents)
    shift: np.ndarray  # scale1 (F,)
    width: np.ndarray  # scale2 (F,)
    layers: list[Layer]


def read_potential_file(path: Path) -> tuple[list[str], list[ElementPotential]]:
    """(ELEM_LIST, one block per element in that order) of a potential file."""
    from ase.data import chemical_symbols

    lines = TokenLines(path, "SIMPLE-NN potential")
    head = lines.next("'ELEM_LIST' and the element symbols")
    if head[0] != "ELEM_LIST" or len(head) < 2:
        raise lines.error("the file must start with 'ELEM_LIST' and the element symbols")
    elements = head[1:]
    for element in elements:
        if element not in chemical_symbols[1:] or elements.count(element) > 1:
            raise lines.error(
                f"'{element}' in ELEM_LIST is not a chemical element symbol, or is listed twice"
            )
    blocks: dict[str, ElementPotential] = {}
    while lines:
        block = _read_block(lines, elements)
        if block.element in blocks:
            raise lines.error(f"a second POT block for {block.element}; keep one")
        blocks[block.element] = block
    missing = [element for element in elements if element not in blocks]
    if missing:
        raise lines.error(
            f"no POT block for {', '.join(missing)} listed in ELEM_LIST; the element is missing "
            "from the file (or remove it from ELEM_LIST)"
        )
    return elements, [blocks[element] for element in elements]


def _read_block(lines: TokenLines, elements: list[str]) -> ElementPotential:
    tokens = lines.next("'POT element cutoff'")
    if tokens[0] != "POT" or len(tokens) != 3:
        raise lines.error(f"expected 'POT element cutoff', found '{' '.join(tokens)}'")
    element = tokens[1]
    if element not in elements:
        raise lines.error(f"POT {element}: {element} is not in ELEM_LIST ({' '.join(elements)})")
    cutoff = lines.number(tokens[2], "the cutoff")
    tokens = lines.next(f"'SYM n' of {element}")
    if tokens[0] != "SYM" or len(tokens) != 2:
        raise lines.error(f"expected 'SYM n' (the number of functions of {element})")
    count = lines.integer(tokens[1], "the number of symmetry functions")
    if count < 1:
        raise lines.error("SYM needs at least one symmetry function")
    functions = tuple(_read_function(lines, element, elements, cutoff) for _ in range(count))
    shift = _read_scale(lines, "scale1", count)
    width = _read_scale(lines, "scale2", count)
    if not np.all(width != 0):
        raise lines.error("scale2 holds a 0; the network input (G - scale1) / scale2 is undefined")
    layers = _read_network(lines, element, count)
    return ElementPotential(element, cutoff, functions, shift, width, layers)


def _read_function(
    lines: TokenLines, center: str, elements: list[str], pot_cutoff: float
) -> SymmetryFunction:
    tokens = lines.next(f"a symmetry function of {center}")
    kind = lines.kind(tokens[0])
    size = 6 if kind == RADIAL else 7
    if len(tokens) != size:
        raise lines.error(
            f"a type {kind} line has {size} fields: type, R_c, eta, two parameters and "
            f"{'one neighbour element' if kind == RADIAL else 'two neighbour elements'}"
        )
    numbers = [lines.number(token, "a parameter") for token in tokens[1:5]]
    neighbours = tuple(tokens[5:])
    unknown = [e for e in neighbours if e not in elements]
    if unknown:
        raise lines.error(
            f"neighbour element {unknown[0]} is not in ELEM_LIST ({' '.join(elements)}); "
            "add the element to the potential"
        )
    sf = lines.checked(to_mlpot, center, SimpleNNFunction(kind, neighbours, *numbers))
    if sf.cutoff > pot_cutoff:
        raise lines.error(
            f"R_c {sf.cutoff:g} exceeds the POT cutoff {pot_cutoff:g} of {center}, which LAMMPS "
            "applies to all neighbours; raise the POT cutoff to at least R_c"
        )
    return sf


def _read_scale(lines: TokenLines, name: str, count: int) -> np.ndarray:
    tokens = lines.next(f"'{name}' and {count} numbers")
    if tokens[0] != name:
        raise lines.error(f"expected '{name}' and {count} numbers, found '{tokens[0]}'")
    return np.array(lines.numbers(tokens[1:], count, name))


def _read_network(lines: TokenLines, element: str, n_features: int) -> list[Layer]:
    tokens = lines.next(f"'NET n widths...' of {element}")
    if tokens[0] != "NET" or len(tokens) < 3:
        raise lines.error("expected 'NET', the number of layers - 1, and the layer widths")
    count = lines.integer(tokens[1], "the number of layers - 1")
    widths = [lines.integer(token, "a layer width") for token in tokens[2:]]
    if len(widths) != count + 1 or min(widths) < 1:
        raise lines.error(f"NET {count} needs {count + 1} layer widths (each >= 1)")
    if widths[-1] != 1:
        raise lines.error("the last layer must have width 1 (the atomic energy)")
    inputs = [n_features, *widths]
    return [
        _read_layer(lines, f"{element}'s layer {index}", inputs[index], widths[index])
        for index in range(count + 1)
    ]


def _read_layer(lines: TokenLines, name: str, n_in: int, n_out: int) -> Layer:
    index = name.rsplit(" ", 1)[1]
    tokens = lines.next(f"'LAYER {index} activation' of {name}")
    if tokens[0] != "LAYER" or len(tokens) not in (3, 4) or tokens[1] != index:
        raise lines.error(f"expected 'LAYER {index} activation', found '{' '.join(tokens)}'")
    activation, line, pca = tokens[2], lines.line, len(tokens) == 4
    if activation not in ACTIVATIONS:
        raise lines.error(f"unknown activation '{activation}'; use one of {', '.join(ACTIVATIONS)}")
    if len(tokens) == 4 and tokens[3] != PCA_TAG:
        raise lines.error(f"unexpected '{tokens[3]}' after the activation (only '{PCA_TAG}')")
    weights, biases = np.empty((n_out, n_in)), np.empty(n_out)
    for node in range(n_out):
        tokens = lines.next(f"the weights w{node} of {name}")
        if not tokens[0].startswith("w"):
            raise lines.error(f"expected the weights 'w{node} ...' of {name}")
        weights[node] = lines.numbers(tokens[1:], n_in, f"w{node} of {name}")
        tokens = lines.next(f"the bias b{node} of {name}")
        if not tokens[0].startswith("b"):
            raise lines.error(f"expected the bias 'b{node} value' of {name}")
        biases[node] = lines.numbers(tokens[1:], 1, f"b{node} of {name}")[0]
    return Layer(activation, weights, biases, pca, line)


def format_potential(elements: Sequence[str], blocks: Sequence[ElementPotential]) -> str:
    """The text of a potential file; numbers are written exactly (shortest repr)."""
    out = ["ELEM_LIST " + " ".join(elements), ""]
    for block in blocks:
        out += [f"POT {block.element} {_num(block.cutoff)}", f"SYM {len(block.functions)}"]
        for sf in block.functions:
            row = from_mlpot(sf)
            numbers = " ".join(map(_num, (row.cutoff, row.eta, row.third, row.fourth)))
            out.append(f"{row.kind} {numbers} {' '.join(row.neighbours)}")
        out.append("scale1 " + " ".join(map(_num, block.shift)))
        out.append("scale2 " + " ".join(map(_num, block.width)))
        widths = [len(layer.biases) for layer in block.layers]
        out.append(f"NET {len(widths) - 1} " + " ".join(map(str, widths)))
        for index, layer in enumerate(block.layers):
            out.append(f"LAYER {index} {layer.activation}" + (f" {PCA_TAG}" if layer.pca else ""))
            for node, (row_w, bias) in enumerate(zip(layer.weights, layer.biases, strict=True)):
                out += [f"w{node} " + " ".join(map(_num, row_w)), f"b{node} {_num(bias)}"]
        out.append("")
    return "\n".join(out)


def _num(value: float) -> str:
    return repr(float(value))
