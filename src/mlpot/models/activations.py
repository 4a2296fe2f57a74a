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


def activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
