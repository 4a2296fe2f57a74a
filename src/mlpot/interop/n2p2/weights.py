"""weights.ZZZ.data: one element's network weights and biases (ZZZ = atomic number).

n2p2's order (NeuralNetwork::setConnections): for each layer l = 1..L, the weights from every
neuron j of layer l-1 to every neuron k of layer l (j outer, k inner), then the biases of
layer l. Only the first column of each line counts; lines starting with '#' are comments.
Here a layer is (W (n_in, n_out), b (n_out,)) with z = x W + b, so W in row-major order is
exactly n2p2's weight order.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mlpot.data.errors import location
from mlpot.errors import MlpotError

Layer = tuple[np.ndarray, np.ndarray]


def weights_file(directory: Path, atomic_number: int) -> Path:
    return directory / f"weights.{atomic_number:03d}.data"


def read_weights(path: Path, widths: list[int], element: str) -> list[Layer]:
    """Layers of a network with layer widths [n_inputs, hidden..., 1]."""
    values, lines = _first_column(path)
    shapes = list(zip(widths[:-1], widths[1:], strict=True))
    needed = sum(n_in * n_out + n_out for n_in, n_out in shapes)
    if len(values) != needed:
        shape = "-".join(map(str, widths))
        where = location(path, line=lines[-1]) if lines else f"'{path}'"
        problem = "is truncated or" if len(values) < needed else "has extra lines, or"
        raise MlpotError(
            f"{where}: {len(values)} values, but the {shape} network of {element} in "
            f"input.nn needs {needed}: the file {problem} belongs to another network; "
            "use the weights written with this input.nn"
        )
    layers, start = [], 0
    for n_in, n_out in shapes:
        w = values[start : start + n_in * n_out].reshape(n_in, n_out)
        start += n_in * n_out
        layers.append((w, values[start : start + n_out].copy()))
        start += n_out
    return layers


def _first_column(path: Path) -> tuple[np.ndarray, list[int]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise MlpotError(
            f"'{path}': no such file; an n2p2 potential has one weights.ZZZ.data per element "
            "(ZZZ = atomic number): copy or rename the weights of the chosen epoch"
        ) from None
    except OSError as err:
        raise MlpotError(f"'{path}': cannot read it ({err.strerror})") from err
    values, lines = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        try:
            values.append(float(fields[0]))
        except ValueError:
            values.append(None)
        if values[-1] is None or not math.isfinite(values[-1]):
            problem = "not a number" if values[-1] is None else "not finite"
            raise MlpotError(
                f"{location(path, line=number)}: '{fields[0]}' is {problem}; "
                "each line starts with one weight or bias"
            )
        lines.append(number)
    return np.array(values, dtype=float), lines


def weight_lines(layers: list[Layer]) -> list[str]:
    """The lines of a weights file, in n2p2's order and layout (17 significant digits)."""
    lines = [
        "# Neural network connection values (weights and biases), n2p2 order:",
        "# value, a = weight / b = bias, index, layer and neuron of start (end for biases),",
        "# layer and neuron of end.",
    ]
    count = 0
    for layer, (w, b) in enumerate(layers, start=1):
        for j in range(w.shape[0]):
            for k in range(w.shape[1]):
                count += 1
                lines.append(
                    f"{w[j, k]:24.16E} a {count:9d} {layer - 1:5d} {j + 1:5d} {layer:5d} {k + 1:5d}"
                )
        for k in range(len(b)):
            count += 1
            lines.append(f"{b[k]:24.16E} b {count:9d} {layer:5d} {k + 1:5d}")
    return lines
