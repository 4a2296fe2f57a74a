"""The GAP kernels: SOAP dot product to the power zeta, and a two-body squared exponential.

Both give an atom's basis row Phi_i (A, M): E_i = e0[z_i] + Phi_i . w, linear in the weights w
that the sparse GP fit (mlpot.models.gap.solve) finds; M counts the sparse points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


def soap_kernel(
    q: torch.Tensor,
    species: torch.Tensor,
    sparse: torch.Tensor,
    sparse_species: torch.Tensor,
    zeta: int,
    delta: float,
) -> torch.Tensor:
    """delta^2 (q_i . x_m)^zeta where atom i and sparse point m are one element, else 0:
    (A, M) from q (A, D), species (A,), sparse (M, D), sparse_species (M,)."""
    same = species[:, None] == sparse_species[None, :]
    return delta**2 * (q @ sparse.T) ** zeta * same


@dataclass(frozen=True)
class TwoBodySettings:
    """Squared-exponential kernel on pair distances, per pair of elements: sparse distances
    on a uniform grid r_min..cutoff (Å) of n_points, length scale theta (Å), signal delta
    (eV), cosine cutoff over the last `width` Å. n_points 0: no two-body term."""

    cutoff: float = 5.0
    width: float = 1.0
    r_min: float = 1.5
    n_points: int = 15
    theta: float = 0.5
    delta: float = 1.0

    @property
    def grid(self) -> torch.Tensor:
        return torch.linspace(self.r_min, self.cutoff, self.n_points, dtype=torch.float64)


def cosine_cutoff(r: torch.Tensor, cutoff: float, width: float) -> torch.Tensor:
    """1 below cutoff - width, 0 beyond cutoff, a half cosine between (continuous slope)."""
    x = ((r - cutoff + width) / width).clamp(0.0, 1.0)
    return 0.5 * (1.0 + torch.cos(math.pi * x))


def pair_type(species_first: torch.Tensor, species_second: torch.Tensor, n_species: int):
    """Index of the unordered element pair (a, b), a <= b: (P,) long in [0, S (S + 1) / 2)."""
    a = torch.minimum(species_first, species_second)
    b = torch.maximum(species_first, species_second)
    return a * n_species - a * (a - 1) // 2 + (b - a)


def two_body_kernel(r: torch.Tensor, d: torch.Tensor, settings: TwoBodySettings):
    """k(r, d) = delta^2 fc(r) fc(d) exp(-(r - d)^2 / (2 theta^2)): (len(r), len(d))."""
    fc = cosine_cutoff
    s = settings
    gauss = torch.exp(-((r[:, None] - d[None, :]) ** 2) / (2 * s.theta**2))
    return s.delta**2 * fc(r, s.cutoff, s.width)[:, None] * fc(d, s.cutoff, s.width) * gauss


def two_body_basis(
    settings: TwoBodySettings,
    n_species: int,
    n_atoms: int,
    species: torch.Tensor,
    first: torch.Tensor,
    second: torch.Tensor,
    vectors: torch.Tensor,
) -> torch.Tensor:
    """Phi (A, T K): half of each pair's kernel row, in the column block of its element pair
    (T of them, K = n_points each), summed on the pair's first atom."""
    n_points = settings.n_points
    n_types = n_species * (n_species + 1) // 2
    out = vectors.new_zeros(n_atoms, n_types * n_points)
    if n_points == 0 or len(first) == 0:
        return out
    r = vectors.norm(dim=1)
    k = 0.5 * two_body_kernel(r, settings.grid.to(vectors), settings)
    types = pair_type(species[first], species[second], n_species)
    columns = types[:, None] * n_points + torch.arange(n_points, device=vectors.device)
    rows = first[:, None].expand_as(columns)
    return out.index_put((rows, columns), k, accumulate=True)


def two_body_kmm(settings: TwoBodySettings, n_species: int) -> torch.Tensor:
    """The two-body sparse points' covariance, block diagonal over element pairs."""
    grid = settings.grid
    block = two_body_kernel(grid, grid, settings)
    n_types = n_species * (n_species + 1) // 2
    return torch.block_diag(*[block] * n_types) if settings.n_points else torch.zeros(0, 0)
