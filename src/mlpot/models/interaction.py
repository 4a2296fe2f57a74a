"""Neighbour messages: each atomic energy also sees its neighbours' environments.

For atom i and its neighbour pairs p = (i, j) within the message cutoff rc (at most the
descriptor cutoff rd):
    h_j = tanh(W_e(j) x_j + b_e(j))                       (H features of j's environment)
    m_i = (1 / n) sum_p (phi(r_p) @ W_r) * h_j              (elementwise product, H features)
with x_j the preprocessed descriptors of j, phi(r) K Gaussians of r times the cosine cutoff
and n the training set's mean number of neighbours. The network of i's element then reads
[x_i, m_i]. h_j holds j's three-body environment, so E_i depends on correlations of more
than three atoms reaching rc + rd: one message-passing step (SchNet-like) on top of
symmetry functions.

The radial basis depends on positions only: callers take it with its derivatives from
`message_pairs`, outside autograd, and add `MessagePairs.pair_gradients` (dE/dphi_p .
dphi_p/dr_p) to the pair gradients dE/dr_p, as they do for the descriptors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn


@dataclass(frozen=True)
class InteractionSpec:
    """features: H, the message width; radial: K, Gaussians over [0, rc]; cutoff: rc in Å,
    at most the descriptor cutoff (None: the descriptor cutoff)."""

    features: int = 8
    radial: int = 8
    cutoff: float | None = None


class MessagePairs(NamedTuple):
    """The neighbour pairs that send messages: their indices `near` (Q,) among all pairs,
    their atoms (first, second) (Q,), radial basis (Q, K) and its derivatives dphi/dr_p
    (Q, K, 3) in 1/Å."""

    near: torch.Tensor
    first: torch.Tensor
    second: torch.Tensor
    basis: torch.Tensor
    derivatives: torch.Tensor

    def pair_gradients(self, basis_gradient: torch.Tensor, n_pairs: int) -> torch.Tensor:
        """(P, 3) dE/dr_p through the radial basis, from dE/dphi (Q, K); zero for the pairs
        that send nothing."""
        direct = torch.einsum("pkx,pk->px", self.derivatives, basis_gradient)
        return direct.new_zeros((n_pairs, 3)).index_add(0, self.near, direct)


class NeighbourMessages(nn.Module):
    def __init__(
        self,
        n_features: dict[str, int],
        spec: InteractionSpec,
        cutoff: float,
        dtype: torch.dtype,
    ):
        super().__init__()
        self.spec = spec
        cutoff = min(spec.cutoff or cutoff, cutoff)
        self.cutoff = float(cutoff)
        self.embeddings = nn.ModuleDict(
            {e: nn.Linear(n, spec.features, dtype=dtype) for e, n in n_features.items()}
        )
        self.filter = nn.Linear(spec.radial, spec.features, bias=False, dtype=dtype)
        self.register_buffer("centers", torch.linspace(0.0, cutoff, spec.radial, dtype=dtype))
        # mean neighbours per atom in the training set (fit_preprocessing)
        self.register_buffer("neighbours", torch.ones((), dtype=dtype))

    def senders(self, vectors: torch.Tensor) -> torch.Tensor:
        """Indices of the pairs (vectors r_p (P, 3), Å) within the message cutoff."""
        return torch.nonzero(torch.linalg.vector_norm(vectors, dim=1) < self.cutoff).squeeze(1)

    @torch.no_grad()
    def message_pairs(
        self,
        first: torch.Tensor,
        second: torch.Tensor,
        vectors: torch.Tensor,
        requires_grad: bool = True,
    ) -> MessagePairs:
        """The sending pairs among pairs (first, second) with vectors r_p (P, 3) Å; phi:
        Gaussians of r = |r_p| one centre spacing wide times the cosine cutoff (requiring
        grad with requires_grad)."""
        near = self.senders(vectors)
        vectors = vectors[near].to(self.centers.dtype)
        r = torch.linalg.vector_norm(vectors, dim=1)
        width = self.cutoff / max(self.spec.radial - 1, 1)
        offset = (r[:, None] - self.centers) / width
        gauss = torch.exp(-0.5 * offset**2)
        angle = math.pi * r / self.cutoff
        fc = 0.5 * (torch.cos(angle) + 1)
        dfc = -0.5 * math.pi / self.cutoff * torch.sin(angle)
        phi = gauss * fc[:, None]
        dphi_dr = gauss * (dfc[:, None] - offset / width * fc[:, None])
        unit = vectors / r.clamp_min(1e-12)[:, None]
        derivatives = dphi_dr[:, :, None] * unit[:, None, :]
        basis = phi.requires_grad_(requires_grad)
        return MessagePairs(near, first[near], second[near], basis, derivatives)

    def forward(
        self,
        inputs: dict[str, tuple[torch.Tensor, torch.Tensor]],
        pairs: MessagePairs,
        n_atoms: int,
    ) -> torch.Tensor:
        """(A, H) messages from {element: (atom indices, preprocessed descriptors)}."""
        dtype = self.centers.dtype
        h = torch.zeros((n_atoms, self.spec.features), dtype=dtype, device=self.centers.device)
        for element, (index, x) in inputs.items():
            h = h.index_copy(0, index, torch.tanh(self.embeddings[element](x)))
        weights = self.filter(pairs.basis)
        messages = torch.zeros_like(h).index_add(0, pairs.first, weights * h[pairs.second])
        return messages / self.neighbours
