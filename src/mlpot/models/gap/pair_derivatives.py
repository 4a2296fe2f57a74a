"""dc_p/dr_p of the SOAP pair expansions, as featomic gives them or as one dense array.

featomic's position gradients come per channel block as rows (R, 3, K) of d c/d R_atom, one row
per (pair sample, atom). The rows with respect to a pair's neighbour are dc_p/dr_p. Kept as
they are, the chain rule of a force evaluation reads each row once,

    dE/dr_p = sum_k dE/dc_p[k] dc_p[k]/dr_p      (one batched product per block)

instead of first copying them into a (P, F, 3) array; `dense()` gives that array where it is
needed (the fit's design rows, and pairs of an atom with its own image, which come from
featomic's strain gradients instead).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class GradientBlock:
    """One channel block: columns of F, rows (R, 3, K) and the pair of each row (R,), -1 for
    rows that are not the derivative of a listed pair with respect to its neighbour."""

    columns: slice
    rows: np.ndarray
    pair: np.ndarray


class PairDerivatives:
    """dc_p/dr_p (P, F, 3) of P pairs, as gradient blocks or as a dense array."""

    def __init__(self, n_pairs: int, n_coefficients: int, blocks: list[GradientBlock] | None = None,
                 dense: np.ndarray | None = None):
        self.n_pairs, self.n_coefficients = n_pairs, n_coefficients
        self.blocks, self._dense = blocks or [], dense

    def dense(self) -> np.ndarray:
        """(P, F, 3) 1/Å."""
        if self._dense is None:
            out = np.zeros((self.n_pairs, self.n_coefficients, 3))
            for block in self.blocks:
                valid = block.pair >= 0
                out[block.pair[valid], block.columns] = np.moveaxis(block.rows[valid], 1, 2)
            self._dense = out
        return self._dense

    def link(self, values: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
        """`values` (P, F) as a function of `vectors` (P, 3) for autograd."""
        if not vectors.requires_grad:
            return values
        if self._dense is not None or not self.blocks:
            from mlpot.models.precomputed import linked

            rows = torch.arange(self.n_pairs, device=vectors.device)
            return linked(values, torch.as_tensor(self.dense()).to(values), rows, vectors)
        return _BlockLinked.apply(vectors, values, self)

    def pair_gradients(self, upstream: torch.Tensor) -> torch.Tensor:
        """dE/dr_p (P, 3) from dE/dc_p (P, F)."""
        n = self.n_pairs
        out = upstream.new_zeros(n + 1, 3)
        for block in self.blocks:
            target = torch.from_numpy(np.where(block.pair >= 0, block.pair, n))
            padded = torch.cat([upstream[:, block.columns], upstream.new_zeros(1, 1).expand(
                1, block.columns.stop - block.columns.start)])
            rows = torch.from_numpy(block.rows).to(upstream)
            out.index_add_(0, target, torch.einsum("rxk,rk->rx", rows, padded[target]))
        return out[:n]


class _BlockLinked(torch.autograd.Function):
    @staticmethod
    def forward(ctx, vectors, values, derivatives):
        ctx.derivatives = derivatives
        return values.clone()

    @staticmethod
    def backward(ctx, grad_values):
        return ctx.derivatives.pair_gradients(grad_values), None, None
