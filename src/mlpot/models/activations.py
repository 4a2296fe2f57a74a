"""Activation functions by name (n2p2's one-letter codes map onto these names)."""

from __future__ import annotations

import math

import torch
from torch import nn


class ShiftedSoftplus(nn.Module):
    """softplus(x) - log 2: zero at the origin."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.softplus(x) - math.log(2.0)


class Gaussian(nn.Module):
    """exp(-x^2 / 2), n2p2's "g"."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(-0.5 * x * x)


class Cosine(nn.Module):
    """cos(x), n2p2's "c"."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cos(x)


class ReverseSigmoid(nn.Module):
    """1 - 1 / (1 + exp(-x)), n2p2's "S"."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(-x)


class NegativeExp(nn.Module):
    """exp(-x), n2p2's "e"."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(-x)


class Square(nn.Module):
    """x^2, n2p2's "h" (harmonic)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * x


ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "softplus": nn.Softplus,
    "shifted_softplus": ShiftedSoftplus,
    "silu": nn.SiLU,
    "sigmoid": nn.Sigmoid,
    "gaussian": Gaussian,
    "relu": nn.ReLU,
    "linear": nn.Identity,
}

# n2p2's other activations and SIMPLE-NN's selu: evaluated by torch only (the fused kernel
# does not know them, so models using them take the two-pass path of mlpot.models.evaluate)
TORCH_ONLY_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "selu": nn.SELU,
    "cos": Cosine,
    "reverse_sigmoid": ReverseSigmoid,
    "negative_exp": NegativeExp,
    "square": Square,
}


def activation(name: str) -> nn.Module:
    known = ACTIVATIONS | TORCH_ONLY_ACTIVATIONS
    if name not in known:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(known)}")
    return known[name]()
