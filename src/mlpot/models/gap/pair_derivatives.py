"""Derivatives of SOAP densities with respect to the pair vectors, as featomic gives them or
as one dense array.

featomic's position gradients come per channel block as rows (R, 3, K) of dc_i/dR_a, one row
per (centre, atom); a row with respect to a neighbour a is dc_i[species(a)]/dr_p of the one
pair p of i and a (mlpot.models.gap.descriptors), which is also the derivative of that pair's
own term of the density, dc_p/dr_p. Kept as they are, the chain rule of a force evaluation
reads each row once,

    dE/dr_p = sum_k dE/dc[k] dc[k]/dr_p      (one batched product per block)

instead of first copying them into a (P, F, 3) array; `dense()` gives that array where it is
needed (the fit's design rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class GradientBlock:
    """One channel block: columns of F, rows (R, 3, K) and the pair of each row (R,), -1 for
    rows that are not the derivative with respect to a listed pair's neighbour; source (R,):
    the value row each row differentiates."""

    columns: slice
    rows: np.ndarray
    pair: np.ndarray
    source: np.ndarray


class PairDerivatives:
    """dx_r/dr_p of value rows x (R, F) with respect to P pair vectors, as gradient blocks."""

    def __init__(self, n_pairs: int, n_coefficients: int, blocks: list[GradientBlock]):
        self.n_pairs, self.n_coefficients, self.blocks = n_pairs, n_coefficients, blocks

    def dense(self) -> np.ndarray:
        """(P, F, 3) 1/Å: dc_p/dr_p, each pair's derivative of its own term of the density."""
        out = np.zeros((self.n_pairs, self.n_coefficients, 3))
        for block in self.blocks:
            valid = block.pair >= 0
            out[block.pair[valid], block.columns] = np.moveaxis(block.rows[valid], 1, 2)
        return out

    def link(self, values: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
        """`values` (R, F) as a function of `vectors` (P, 3) for autograd."""
        if not vectors.requires_grad:
            return values
        return _BlockLinked.apply(vectors, values, self)

    def pair_gradients(self, upstream: torch.Tensor) -> torch.Tensor:
        """dE/dr_p (P, 3) from dE/dx (R, F); rows of no listed pair land in a dropped row.
        NumPy contracts the rows (faster than torch here) unless the result must stay
        differentiable (create_graph)."""
        n = self.n_pairs
        out = upstream.new_zeros(n + 1, 3)
        differentiable = torch.is_grad_enabled()
        plain = None if differentiable else upstream.detach().cpu().double().numpy()
        for block in self.blocks:
            target = torch.from_numpy(np.where(block.pair >= 0, block.pair, n))
            source = block.source
            if differentiable:
                rows = torch.from_numpy(block.rows).to(upstream)
                products = torch.einsum("rxk,rk->rx", rows, upstream[source, block.columns])
            else:
                products = torch.from_numpy(np.einsum(
                    "rxk,rk->rx", block.rows, plain[source, block.columns])).to(out)
            out.index_add_(0, target.to(out.device), products)
        return out[:n]


class _BlockLinked(torch.autograd.Function):
    @staticmethod
    def forward(ctx, vectors, values, derivatives):
        ctx.derivatives = derivatives
        return values.clone()

    @staticmethod
    def backward(ctx, grad_values):
        return ctx.derivatives.pair_gradients(grad_values), None, None
