"""The GAP's predictive variance (deterministic training conditional) of SOAP energies:

    var = k** - k^T K_MM^-1 k + k^T Sigma_w k,    Sigma_w = R^-1 R^-T (mlpot.models.gap.solve)

for one atom's energy (k: its kernel row, k** = delta^2) or a structure's total (k: the sum
of its rows, k** = sum_ij delta^2 (q_i . q_j)^zeta over atoms of one element). The two-body
term enters through the weights' posterior, not through k** (its prior is not counted).
"""

from __future__ import annotations

import torch

from mlpot.models.gap.kernels import soap_kernel


def _reduced(model, k: torch.Tensor) -> torch.Tensor:
    """k^T Sigma_w k - k^T K_MM^-1 k for rows k (R, M) of SOAP columns."""
    explained = torch.linalg.solve_triangular(model.kmm_cholesky, k.T, upper=False)
    posterior = k @ model.posterior_factor
    return (posterior**2).sum(1) - (explained**2).sum(0)


def energy_variances(model, inputs, vectors: torch.Tensor) -> tuple[torch.Tensor, float]:
    """(A,) variances of the atoms' energies and the variance of their total (eV^2), for a
    batch of one structure."""
    with torch.no_grad():
        q = model.descriptors(inputs, vectors)
        k = soap_kernel(q, inputs.species, model.sparse.to(q), model.sparse_species,
                        model.zeta, model.delta).double()
        local = model.delta**2 + _reduced(model, k)
        same = inputs.species[:, None] == inputs.species[None, :]
        prior_total = model.delta**2 * float((((q @ q.T) ** model.zeta) * same).sum())
        total = prior_total + float(_reduced(model, k.sum(0, keepdim=True))[0])
    return local.clamp_min(0.0), max(total, 0.0)
