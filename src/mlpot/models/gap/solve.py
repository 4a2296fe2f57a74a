"""The sparse GP solve (GAP's): weights w minimising

    |Sigma^-1/2 (K_NM w - y)|^2 + w^T K_MM w

by QR of [Sigma^-1/2 K_NM ; L^T] (K_MM + jitter = L L^T), never forming normal equations.
N rows: energies, force components and virials (each a derivative of sums of kernel rows).
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class SparseSolution(NamedTuple):
    weights: torch.Tensor  # (M,)
    kmm_cholesky: torch.Tensor  # (M, M) lower, L L^T = K_MM + jitter
    r_inverse: torch.Tensor  # (M, M): posterior covariance of w = R^-1 R^-T


def solve_sparse_gp(
    kmm: torch.Tensor, knm: torch.Tensor, y: torch.Tensor, sigma: torch.Tensor,
    jitter: float = 1e-8,
) -> SparseSolution:
    """kmm (M, M), knm (N, M), targets y (N,), noise sigma (N,) in the targets' units;
    jitter relative to K_MM's mean diagonal."""
    m = len(kmm)
    scale = float(torch.diagonal(kmm).mean()) if m else 1.0
    eye = torch.eye(m, dtype=kmm.dtype)
    chol = torch.linalg.cholesky(kmm + jitter * max(scale, 1e-300) * eye)
    a = torch.cat([knm / sigma[:, None], chol.T])
    b = torch.cat([y / sigma, torch.zeros(m, dtype=y.dtype)])
    q, r = torch.linalg.qr(a)
    weights = torch.linalg.solve_triangular(r, (q.T @ b)[:, None], upper=True)[:, 0]
    r_inverse = torch.linalg.solve_triangular(r, eye, upper=True)
    return SparseSolution(weights, chol, r_inverse)
