"""Inference-only copy of the per-element networks, as flat tables for the fused kernel.

The torch module (`mlpot.models.nnp`) is the one definition of the networks, used for training;
these tables hold the same numbers for evaluating one atom at a time inside the descriptor
kernel (`kernels.energy_and_gradient`). Each element's network is a stack of dense layers,
z = x W + b with W (n_in, n_out), the element's activation after every layer but the last, and
one output: the atomic energy. Whoever builds the tables folds descriptor preprocessing, the
energy scale and the reference energy into the first and last layers
(`mlpot.models.evaluate.inference_networks`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# activation name (mlpot.models.activations) -> code evaluated by kernels._activation
ACTIVATION_CODES = {
    "tanh": 0,
    "softplus": 1,
    "shifted_softplus": 2,
    "silu": 3,
    "sigmoid": 4,
    "gaussian": 5,
    "relu": 6,
    "linear": 7,
}


class NetworkTables(NamedTuple):
    n_features: int  # widest input (F)
    rows: int  # scratch rows: two per hidden layer of the deepest network, plus two
    width: int  # widest layer
    layer_ptr: np.ndarray  # (E + 1,) layers of element e are layer_ptr[e] : layer_ptr[e + 1]
    n_in: np.ndarray  # (L,)
    n_out: np.ndarray  # (L,)
    weights: np.ndarray  # (L, width, width) W of layer l in [l, :n_in, :n_out], zero padded
    biases: np.ndarray  # (L, width) b of layer l in [l, :n_out]
    activation: np.ndarray  # (E,) activation code of element e's hidden layers


def network_tables(
    layers: list[list[tuple[np.ndarray, np.ndarray]]], activations: list[str]
) -> NetworkTables:
    """Tables for per-element lists of (W (n_in, n_out), b (n_out,)), the last with n_out = 1,
    and per-element activation names."""
    flat = [layer for element_layers in layers for layer in element_layers]
    if any(element_layers[-1][0].shape[1] != 1 for element_layers in layers):
        raise ValueError("the last layer of a network must have one output")
    width = max(max(w.shape) for w, _ in flat)
    weights = np.zeros((len(flat), width, width))
    biases = np.zeros((len(flat), width))
    for layer, (w, b) in enumerate(flat):
        weights[layer, : w.shape[0], : w.shape[1]] = w
        biases[layer, : b.shape[0]] = b
    sizes = np.cumsum([0] + [len(element_layers) for element_layers in layers])
    return NetworkTables(
        n_features=max(element_layers[0][0].shape[0] for element_layers in layers),
        rows=2 * max(len(element_layers) for element_layers in layers) + 2,
        width=width,
        layer_ptr=sizes.astype(np.int64),
        n_in=np.array([w.shape[0] for w, _ in flat], dtype=np.int64),
        n_out=np.array([w.shape[1] for w, _ in flat], dtype=np.int64),
        weights=weights,
        biases=biases,
        activation=np.array([ACTIVATION_CODES[a] for a in activations], dtype=np.int64),
    )
