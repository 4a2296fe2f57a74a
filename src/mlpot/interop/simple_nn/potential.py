"""SIMPLE-NN potential files <-> mlpot models.

Reading: scale1/scale2 become the descriptor shift/scale; a leading linear layer (SIMPLE-NN's
PCA layer, or any linear hidden layer before the first non-linear one) is an affine map and is
folded exactly into the layer after it. The energy scale is 1 and the reference energies 0:
SIMPLE-NN's network output is the atomic energy.

Writing: mlpot's shift/scale become scale1/scale2, its PCA (x - mean) @ R becomes the PCA
layer (weights R^T, biases -mean @ R), and the energy scale and reference energy fold into the
last layer. Only what SIMPLE-NN computes exactly is written: the cos cutoff with alpha 0,
G4/G5 with r_s = 0, and SIMPLE-NN's activations; anything else raises MlpotError.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.interop.simple_nn.activations import FROM_MLPOT, TO_MLPOT
from mlpot.interop.simple_nn.functions import CUTOFF_FUNCTION, check_cutoff_function
from mlpot.interop.simple_nn.potential_file import (
    ElementPotential,
    Layer,
    format_potential,
    read_potential_file,
)
from mlpot.interop.simple_nn.textfiles import write_atomically
from mlpot.models.activations import activation
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential


def read_potential(path: Path) -> NeuralNetworkPotential:
    """The mlpot model (float64) computing what the SIMPLE-NN file `path` computes."""
    path = Path(path)
    elements, blocks = read_potential_file(path)
    sfset = SymmetryFunctionSet(
        tuple(elements), {b.element: b.functions for b in blocks}, CUTOFF_FUNCTION
    )
    networks = {b.element: _network_layers(path, b.layers) for b in blocks}
    specs = {
        e: NetworkSpec(tuple(len(b) for _, b in layers[:-1]), act)
        for e, (act, layers) in networks.items()
    }
    model = NeuralNetworkPotential(sfset, specs, torch.float64)
    with torch.no_grad():
        for block in blocks:
            scaler = model.scalers[block.element]
            scaler.shift.copy_(torch.from_numpy(block.shift))
            scaler.scale.copy_(torch.from_numpy(block.width))
            linears = _linears(model.networks[block.element])
            for linear, (weights, biases) in zip(linears, networks[block.element][1], strict=True):
                linear.weight.copy_(torch.from_numpy(weights))
                linear.bias.copy_(torch.from_numpy(biases))
    return model.eval()


def _network_layers(path: Path, layers: list[Layer]) -> tuple[str, list[tuple]]:
    """(mlpot activation, [(W, b)] with leading linear layers folded) of one element."""
    if layers[-1].activation != "linear":
        raise MlpotError(
            f"{path}, line {layers[-1].line}: the last layer has activation "
            f"'{layers[-1].activation}'; mlpot's output layer is linear"
        )
    folds = 0  # leading linear hidden layers: affine maps, folded into the layer after them
    while folds < len(layers) - 1 and layers[folds].activation == "linear":
        folds += 1
    weights, biases = layers[0].weights, layers[0].biases
    for layer in layers[1 : folds + 1]:
        weights, biases = layer.weights @ weights, layer.weights @ biases + layer.biases
    folded = [(weights, biases)] + [(lay.weights, lay.biases) for lay in layers[folds + 1 :]]
    hidden = layers[folds:-1]
    names = sorted({layer.activation for layer in hidden}) or ["linear"]
    if len(names) > 1:
        raise MlpotError(
            f"{path}, line {hidden[0].line}: hidden layers use activations {', '.join(names)}; "
            "mlpot's networks use one activation for all hidden layers"
        )
    return TO_MLPOT[names[0]], folded


def write_potential(model: NeuralNetworkPotential, path: Path) -> list[Path]:
    """Write `model` as a SIMPLE-NN potential file at `path`; returns [path]."""
    model = model.at_fidelity()  # a multi-fidelity model at its target
    if model.interaction is not None:
        raise MlpotError(
            f"cannot write {path} in SIMPLE-NN's format: this model's atomic energies read "
            "messages from neighbouring atoms (model.interaction); retrain without it to export"
        )
    try:
        check_cutoff_function(model.sfset.cutoff_function)
        blocks = [_element_block(model, e) for e in range(len(model.elements))]
        text = format_potential(model.elements, blocks)
    except ValueError as err:
        raise MlpotError(f"cannot write {path} in SIMPLE-NN's format: {err}") from None
    return [write_atomically(Path(path), text)]


def _element_block(model: NeuralNetworkPotential, e: int) -> ElementPotential:
    element = model.elements[e]
    functions = model.sfset.functions[element]
    scaler = model.scalers[element]
    with torch.no_grad():
        layers = _pca_layers(scaler) + _network_export(model, e)
    return ElementPotential(
        element,
        max(sf.cutoff for sf in functions),
        functions,
        _array(scaler.shift),
        _array(scaler.scale),
        layers,
    )


def _pca_layers(scaler) -> list[Layer]:
    rotation, mean = _array(scaler.pca_rotation), _array(scaler.pca_mean)
    if np.array_equal(rotation, np.eye(len(rotation))) and not mean.any():
        return []
    return [Layer("linear", rotation.T.copy(), -(mean @ rotation), pca=True)]


def _network_export(model: NeuralNetworkPotential, e: int) -> list[Layer]:
    element = model.elements[e]
    name = model.network_specs[element].activation
    if name not in FROM_MLPOT:
        raise ValueError(
            f"{element}'s network uses the activation '{name}', which SIMPLE-NN does not have "
            f"(it has {', '.join(sorted(FROM_MLPOT))} in mlpot's names)"
        )
    network = model.networks[element]
    activation_type = type(activation(name))
    if any(not isinstance(m, nn.Linear | activation_type) for m in network.children()):
        raise ValueError(f"{element}'s network is not a stack of dense layers")
    linears = _linears(network)
    layers = []
    for index, linear in enumerate(linears):
        weights, biases = _array(linear.weight), _array(linear.bias)
        last = index == len(linears) - 1
        if last:
            scale = float(model.energy_scale)
            weights, biases = scale * weights, scale * biases + float(model.reference_energies[e])
        layers.append(Layer("linear" if last else FROM_MLPOT[name], weights, biases))
    return layers


def _linears(network: nn.Module) -> list[nn.Linear]:
    return [m for m in network.children() if isinstance(m, nn.Linear)]


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to(torch.float64).cpu().numpy().copy()
