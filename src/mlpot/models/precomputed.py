"""Features computed outside torch from the pair vectors, linked back to them for autograd.

A descriptor family computes its inputs X (rows: atoms or pairs) and their derivatives
dX_row/dr_p with compiled kernels. `linked(values, derivatives, rows, vectors)` returns X as a
function of `vectors` for autograd: the backward pass is the chain rule

    dE/dr_p = sum_f dE/dX[rows[p], f] * dX[rows[p], f]/dr_p        (P, 3)

written with differentiable torch operations, so that forces stay differentiable with respect
to the weights (double backward, for force training).
"""

from __future__ import annotations

import torch


class _Linked(torch.autograd.Function):
    @staticmethod
    def forward(ctx, vectors, values, derivatives, rows):
        ctx.save_for_backward(derivatives, rows)
        ctx.n_pairs = len(vectors)
        return values.clone()

    @staticmethod
    def backward(ctx, grad_values):
        derivatives, rows = ctx.saved_tensors
        pair_grad = torch.einsum("pfx,pf->px", derivatives, grad_values[rows])
        return pair_grad, None, None, None


def linked(
    values: torch.Tensor,
    derivatives: torch.Tensor,
    rows: torch.Tensor,
    vectors: torch.Tensor,
) -> torch.Tensor:
    """`values` (R, F), differentiable with respect to `vectors` (P, 3) where those require
    grad; derivatives (P, F, 3) = dvalues[rows[p]]/dr_p, rows (P,) long."""
    if not vectors.requires_grad:
        return values
    return _Linked.apply(vectors, values, derivatives, rows)
