"""The ML-IAP `model nn` coefficient file (LAMMPS's MLIAPModelNN, examples/mliap).

    nelements nparams
    NET ndescriptors nlayers act_1 nodes_1 ... act_L nodes_L      (act: linear sigmoid tanh relu)
    then per element, in the order of the descriptor file's elems:
        scale0 (ndescriptors values), scale1 (ndescriptors values),
        nparams coefficients: layer by layer, node by node, the bias then the weights.

LAMMPS evaluates E_i = output of the network at (B_i - scale0) / scale1, and reads every
block line by line (a line may not run past the end of a block; at most 30 values per line of
coefficients). All elements share one NET line: the same layer sizes and activations.
Energies are in eV (LAMMPS "metal" units, mlpot's own: nothing is converted).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlpot.errors import MlpotError

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")
VALUES_PER_LINE = 10
MAX_COEFFICIENTS_PER_LINE = 30  # LAMMPS rejects longer coefficient lines


@dataclass
class ElementNetwork:
    """One element's network as ML-IAP stores it.

    scale0, scale1: (F,); layers: [(weight (n_out, n_in), bias (n_out,))], last n_out = 1.
    """

    scale0: np.ndarray
    scale1: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]

    def coefficients(self) -> np.ndarray:
        return np.concatenate([np.column_stack([b, w]).ravel() for w, b in self.layers])


@dataclass
class NNModelFile:
    """activations: (L,) one per layer, the output layer's included; networks per element."""

    activations: tuple[str, ...]
    networks: list[ElementNetwork]

    @property
    def n_descriptors(self) -> int:
        return len(self.networks[0].scale0)

    @property
    def nodes(self) -> tuple[int, ...]:
        return tuple(len(b) for _, b in self.networks[0].layers)

    @property
    def n_params(self) -> int:
        return count_params(self.n_descriptors, self.nodes)


def count_params(n_descriptors: int, nodes: tuple[int, ...]) -> int:
    """Weights and biases of a network with these inputs and layer sizes."""
    widths = (n_descriptors, *nodes)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(widths[:-1], widths[1:], strict=True))


def model_lines(model: NNModelFile, header: list[str]) -> list[str]:
    net = " ".join(f"{a} {n}" for a, n in zip(model.activations, model.nodes, strict=True))
    lines = [f"# {line}" for line in header]
    lines += ["# nelements nparams", f"{len(model.networks)} {model.n_params}"]
    lines += [f"NET {model.n_descriptors} {len(model.nodes)} {net}"]
    for e, network in enumerate(model.networks):
        lines += [f"# element {e + 1}: scale0"] + _value_lines(network.scale0)
        lines += ["# scale1"] + _value_lines(network.scale1)
        lines += ["# coefficients"] + _value_lines(network.coefficients())
    return lines


def _value_lines(values: np.ndarray) -> list[str]:
    values = [float(v) for v in values]
    return [
        " ".join(f"{v!r}" for v in values[k : k + VALUES_PER_LINE])
        for k in range(0, len(values), VALUES_PER_LINE)
    ]


def read_model_file(path: Path) -> NNModelFile:
    """Parse a model nn file as LAMMPS does; MlpotError naming the line where it is bad."""
    if not path.is_file():
        raise MlpotError(f"{path}: no such file")
    lines = [
        (number, raw.split("#", 1)[0].split())
        for number, raw in enumerate(path.read_text().splitlines(), start=1)
    ]
    lines = [(number, words) for number, words in lines if words]
    if len(lines) < 2 or len(lines[0][1]) != 2:
        raise MlpotError(f"{path}: expected 'nelements nparams' on the first line of numbers")
    n_elements, n_params = (_int(w, path, lines[0][0]) for w in lines[0][1])
    n_descriptors, activations, nodes = _net(lines[1], path)
    expected = count_params(n_descriptors, nodes)
    if expected != n_params:
        raise MlpotError(
            f"{path}:{lines[0][0]}: nparams {n_params} does not match the NET "
            f"line ({expected} for {n_descriptors} inputs and layers {nodes})"
        )
    blocks = _blocks(lines[2:], path, n_elements, [n_descriptors, n_descriptors, n_params])
    model = NNModelFile(activations, [])
    for scale0, scale1, coefficients in blocks:
        model.networks.append(
            ElementNetwork(scale0, scale1, _layers(coefficients, n_descriptors, nodes))
        )
    return model


def _net(line, path: Path) -> tuple[int, tuple[str, ...], tuple[int, ...]]:
    number, words = line
    if words[0][:3] != "NET" or len(words) < 5 or len(words) % 2 == 0:
        raise MlpotError(f"{path}:{number}: expected 'NET ndescriptors nlayers act nodes ...'")
    n_descriptors, n_layers = _int(words[1], path, number), _int(words[2], path, number)
    activations = tuple(words[3::2])
    nodes = tuple(_int(w, path, number) for w in words[4::2])
    if len(nodes) != n_layers or nodes[-1] != 1:
        raise MlpotError(
            f"{path}:{number}: need {n_layers} (activation, nodes) pairs, "
            "the last with 1 node (the atomic energy)"
        )
    unknown = sorted(set(activations) - set(ACTIVATIONS))
    if unknown:  # LAMMPS would silently treat these as linear
        raise MlpotError(
            f"{path}:{number}: unknown activation(s) {', '.join(unknown)}; "
            f"ML-IAP knows {', '.join(ACTIVATIONS)}"
        )
    return n_descriptors, activations, nodes


def _blocks(lines, path: Path, n_elements: int, sizes: list[int]) -> list[list[np.ndarray]]:
    """Per element, the value blocks of `sizes`, filled line by line as LAMMPS does."""
    blocks: list[list[np.ndarray]] = []
    current: list[float] = []
    for number, words in lines:
        done = not blocks or len(blocks[-1]) == len(sizes)
        if done and len(blocks) == n_elements:
            raise MlpotError(f"{path}:{number}: values after the last element's coefficients")
        if done:
            blocks.append([])
        size = sizes[len(blocks[-1])]
        if len(blocks[-1]) == 2 and len(words) > MAX_COEFFICIENTS_PER_LINE:
            raise MlpotError(f"{path}:{number}: more than 30 coefficients on one line")
        current += [_float(w, path, number) for w in words]
        if len(current) > size:
            raise MlpotError(f"{path}:{number}: line runs past the end of a block of {size} values")
        if len(current) == size:
            blocks[-1].append(np.array(current))
            current = []
    if len(blocks) != n_elements or len(blocks[-1]) != len(sizes) or current:
        raise MlpotError(
            f"{path}: ends early: expected scale0, scale1 and coefficients "
            f"for {n_elements} element(s)"
        )
    return blocks


def _layers(coefficients: np.ndarray, n_descriptors: int, nodes: tuple[int, ...]) -> list:
    layers, start, n_in = [], 0, n_descriptors
    for n_out in nodes:
        block = coefficients[start : start + (n_in + 1) * n_out].reshape(n_out, n_in + 1)
        layers.append((block[:, 1:].copy(), block[:, 0].copy()))
        start, n_in = start + (n_in + 1) * n_out, n_out
    return layers


def _int(word: str, path: Path, number: int) -> int:
    try:
        return int(word)
    except ValueError:
        raise MlpotError(f"{path}:{number}: {word!r} is not an integer") from None


def _float(word: str, path: Path, number: int) -> float:
    try:
        return float(word)
    except ValueError:
        raise MlpotError(f"{path}:{number}: {word!r} is not a number") from None
