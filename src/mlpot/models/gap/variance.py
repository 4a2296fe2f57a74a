"""The GAP's predictive variance (deterministic training conditional) of energies:

    var = k** - k^T K_MM^-1 k + k^T Sigma_w k,    Sigma_w = R^-1 R^-T (mlpot.models.gap.solve)

for one atom's energy (k: its basis row Phi_i, SOAP and two-body columns) or a structure's
total (k: the sum of the rows). For SOAP, k** is the prior covariance delta^2 (q_i . q_j)^zeta
summed over the atoms (of one element). The two-body term is the finite basis of its distance
grid (subset of regressors): its prior is k^T K_MM^-1 k, so it enters only through Sigma_w
(its Nyström residual, large for a coarse grid, is not counted).
"""

from __future__ import annotations

import torch


def _reduced(model, k: torch.Tensor) -> torch.Tensor:
    """k^T Sigma_w k - k_s^T K_ss^-1 k_s for rows k (R, M); k_s: the SOAP columns (K_MM is
    block diagonal)."""
    m = model.n_sparse
    explained = torch.linalg.solve_triangular(model.kmm_cholesky[:m, :m], k[:, :m].T,
                                              upper=False)
    posterior = k @ model.posterior_factor
    return (posterior**2).sum(1) - (explained**2).sum(0)


def energy_variances(model, inputs, vectors: torch.Tensor) -> tuple[torch.Tensor, float]:
    """(A,) variances of the atoms' energies and the variance of their total (eV^2), for a
    batch of one structure (float64 model)."""
    with torch.no_grad():
        q = model.descriptors(inputs, vectors)
        k = model.basis(inputs, vectors, q)
        same = (inputs.species[:, None] == inputs.species[None, :]).to(q)
        soap_prior = model.delta**2 * (q @ q.T) ** model.zeta * same
        local = torch.diagonal(soap_prior) + _reduced(model, k)
        total = float(soap_prior.sum()) + float(_reduced(model, k.sum(0, keepdim=True))[0])
    return local.clamp_min(0.0), max(total, 0.0)
