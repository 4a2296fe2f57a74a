"""An mlpot model's networks as n2p2 networks that read the raw symmetry functions.

n2p2 can only scale each input on its own, so mlpot's preprocessing (scaling and PCA
whitening, an affine map x = G A + c) is folded into the first layer, the energy scale into
the last; the inputs are permuted into n2p2's order of the functions. Narrower networks are
padded with neurons whose weights are zero (n2p2 reads one shape for all elements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from torch import nn

from mlpot.errors import MlpotError
from mlpot.interop.n2p2.network import LETTER_OF_ACTIVATION
from mlpot.interop.n2p2.weights import Layer
from mlpot.models.activations import ACTIVATIONS, TORCH_ONLY_ACTIVATIONS
from mlpot.models.nnp import NeuralNetworkPotential

_NAME_OF_CLASS = {cls: name for name, cls in (ACTIVATIONS | TORCH_ONLY_ACTIVATIONS).items()}
# softplus(x) - log 2: n2p2's softplus, with the constant moved into the next layer's bias
_SHIFTED = {"shifted_softplus": ("softplus", math.log(2.0))}


@dataclass(frozen=True)
class N2p2Network:
    """Dense layers (W (n_in, n_out), b (n_out,)) and the activation letter of each hidden
    layer; the first layer reads the functions in n2p2's order, the output is E_i - E_ref."""

    layers: list[Layer]
    letters: tuple[str, ...]


def n2p2_networks(
    model: NeuralNetworkPotential, order: dict[str, list[int]]
) -> dict[str, N2p2Network]:
    """Folded networks per element; order[e]: the model columns in n2p2's order."""
    networks = {e: _folded(model, e, order[e]) for e in model.elements}
    return _padded(networks)


def _folded(model: NeuralNetworkPotential, element: str, order: list[int]) -> N2p2Network:
    linears, names = _dense_stack(model.networks[element], element)
    layers = [
        (lin.weight.detach().double().numpy().T, lin.bias.detach().double().numpy())
        for lin in linears
    ]
    letters = []
    for index, name in enumerate(names):
        base, constant = _SHIFTED.get(name, (name, 0.0))
        w_next, b_next = layers[index + 1]
        layers[index + 1] = (w_next, b_next - constant * w_next.sum(axis=0))
        letters.append(LETTER_OF_ACTIVATION[base])
    a, c = (t.detach().double().numpy() for t in model.scalers[element].affine())
    w0, b0 = layers[0]
    layers[0] = ((a @ w0)[order], c @ w0 + b0)
    scale = float(model.energy_scale)
    w_last, b_last = layers[-1]
    layers[-1] = (scale * w_last, scale * b_last)
    return N2p2Network(layers, tuple(letters))


def _dense_stack(network: nn.Module, element: str) -> tuple[list[nn.Linear], list[str]]:
    """The Linear layers and activation names of Linear, act, ..., act, Linear(n, 1)."""
    modules = list(network.children()) if isinstance(network, nn.Sequential) else []
    linears, acts = modules[::2], modules[1::2]
    dense = all(type(m) is nn.Linear and m.bias is not None for m in linears)
    if not modules or len(linears) != len(acts) + 1 or not dense or len(acts) == 0:
        raise MlpotError(
            f"the network of {element} is not a stack of dense layers with at least one hidden "
            "layer, which is all n2p2 can express"
        )
    names = []
    for module in acts:
        name = _NAME_OF_CLASS.get(type(module))
        plain = name in LETTER_OF_ACTIVATION or name in _SHIFTED
        if not plain or (isinstance(module, nn.Softplus) and module.beta != 1):
            known = ", ".join(sorted(LETTER_OF_ACTIVATION) + sorted(_SHIFTED))
            raise MlpotError(
                f"the network of {element} uses the activation {name or type(module).__name__}, "
                f"which n2p2 does not have; n2p2 models can use {known}"
            )
        names.append(name)
    return linears, names


def _padded(networks: dict[str, N2p2Network]) -> dict[str, N2p2Network]:
    """Every network widened to the widest hidden layers (zero weights in and out)."""
    shapes = {e: net.letters for e, net in networks.items()}
    if len(set(shapes.values())) > 1:
        described = "; ".join(f"{e}: {' '.join(s) or 'none'}" for e, s in shapes.items())
        raise MlpotError(
            f"n2p2 potentials written by mlpot need the same number of hidden layers and the "
            f"same activations for every element, found {described}; retrain with one shape"
        )
    depth = len(next(iter(shapes.values())))
    widths = [max(len(net.layers[k][1]) for net in networks.values()) for k in range(depth)]
    return {e: N2p2Network(_pad(net.layers, widths), net.letters) for e, net in networks.items()}


def _pad(layers: list[Layer], widths: list[int]) -> list[Layer]:
    sizes = [layers[0][0].shape[0], *widths, 1]
    out = []
    for (w, b), n_in, n_out in zip(layers, sizes[:-1], sizes[1:], strict=True):
        wide = np.zeros((n_in, n_out))
        wide[: w.shape[0], : w.shape[1]] = w
        bias = np.zeros(n_out)
        bias[: len(b)] = b
        out.append((wide, bias))
    return out
