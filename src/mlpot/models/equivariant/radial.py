"""Learned radial functions: Bessel basis times a polynomial cutoff envelope, through an MLP.

All functions of the distance r (Å) vanish smoothly at the cutoff r_c: the envelope
u(x) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2), x = r / r_c, is zero at
x = 1 with its first and second derivatives (the DimeNet/NequIP envelope), and zero beyond.
"""

from __future__ import annotations

import math

import torch


class BesselBasis(torch.nn.Module):
    """sqrt(2 / r_c) sin(n pi r / r_c) / r, n = 1..n_basis, with trainable frequencies."""

    def __init__(self, cutoff: float, n_basis: int, dtype: torch.dtype) -> None:
        super().__init__()
        self.cutoff = float(cutoff)
        frequencies = math.pi * torch.arange(1, n_basis + 1, dtype=dtype) / self.cutoff
        self.frequencies = torch.nn.Parameter(frequencies)

    def forward(self, distances: torch.Tensor) -> torch.Tensor:
        """(E, n_basis) from distances (E,) Å (must be > 0)."""
        prefactor = math.sqrt(2.0 / self.cutoff)
        r = distances[:, None]
        return prefactor * torch.sin(self.frequencies * r) / r


class PolynomialEnvelope(torch.nn.Module):
    """The smooth cutoff u(r / r_c) of exponent p; 1 at r = 0, 0 from r_c on."""

    def __init__(self, cutoff: float, p: int) -> None:
        super().__init__()
        self.cutoff = float(cutoff)
        self.p = int(p)

    def forward(self, distances: torch.Tensor) -> torch.Tensor:
        """(E,) from distances (E,) Å."""
        p = float(self.p)
        x = distances / self.cutoff
        value = (
            1.0
            - 0.5 * (p + 1.0) * (p + 2.0) * x**self.p
            + p * (p + 2.0) * x ** (self.p + 1)
            - 0.5 * p * (p + 1.0) * x ** (self.p + 2)
        )
        return torch.where(x < 1.0, value, torch.zeros_like(value))


class RadialNetwork(torch.nn.Module):
    """Learned radial features shared by every layer: MLP(Bessel(r)) * envelope(r).

    Each layer maps these features linearly to its own tensor-product weights, so the MLP
    runs once per edge, not once per layer.
    """

    def __init__(
        self, cutoff: float, n_basis: int, hidden: tuple[int, ...], p: int, dtype: torch.dtype
    ) -> None:
        super().__init__()
        self.basis = BesselBasis(cutoff, n_basis, dtype)
        self.envelope = PolynomialEnvelope(cutoff, p)
        layers: list[torch.nn.Module] = []
        width = n_basis
        for size in hidden:
            layers += [torch.nn.Linear(width, size, dtype=dtype), torch.nn.SiLU()]
            width = size
        self.mlp = torch.nn.Sequential(*layers)
        self.n_features = width

    def forward(self, distances: torch.Tensor) -> torch.Tensor:
        """(E, n_features) from distances (E,) Å; zero for r >= cutoff."""
        features = self.mlp(self.basis(distances))
        return features * self.envelope(distances)[:, None]
