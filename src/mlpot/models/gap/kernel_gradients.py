"""Analytic gradients of the SOAP kernel rows for the GAP design matrix.

A force row needs, for every sparse point m, d(sum_i Phi_im)/dr_p with Phi_im =
delta^2 (q_i . x_m)^zeta (mlpot.models.gap.kernels). Through the atom densities c_i
(mlpot.models.gap.soap):

    dPhi_im/dq_i = delta^2 zeta (q_i . x_m)^(zeta - 1) x_m                  (M, A, D)
    dPhi/dp_i    = (dPhi/dq_i - (dPhi/dq_i . q_i) q_i) / |p_i|             q_i = p_i / |p_i|
    dPhi/dX_il   = w_l (G_l + G_l^T) X_il      G_l: dPhi/dp_i's channel-l block, (S n, S n)
    dPhi/dr_p    = dPhi/dc_i[species(second)] . dc_p/dr_p                   i = first(p)

where X_il (S n, 2l + 1) holds c_i's channel-l coefficients and w_l = (2l + 1)^-l_weight. A few
matrix products per channel replace M reverse passes of autograd; the result equals
torch.func.jacrev of the same sums (tested).
"""

from __future__ import annotations

import torch

ATOM_BLOCK = 16  # atoms per block: bounds the (M, block, S, F) temporaries


def kernel_density_gradients(model, density: torch.Tensor, species: torch.Tensor):
    """d Phi_im / d c_i (M, A, S, F) of the model's SOAP kernel rows (float64 densities
    (A, S, F)). With G_l = c_im (X_ml - k_im Q_il), c_im = delta^2 zeta k_im^(zeta - 1) / |p_i|
    and X_ml, Q_il the channel-l blocks of x_m and q_i, (G_l + G_l^T) X_il splits into one
    matrix product over all sparse points and atoms and one per atom."""
    settings, sparse = model.soap, model.sparse
    n_atoms, n_species, n_max = density.shape[0], density.shape[1], settings.n_max
    width, n_sparse = n_species * n_max, len(sparse)
    blocks, parts = [], []
    for lam in range(settings.l_max + 1):
        block = density[:, :, lam * lam * n_max:(lam + 1) ** 2 * n_max]
        x = block.reshape(n_atoms, n_species, 2 * lam + 1, n_max).permute(0, 1, 3, 2)
        x = x.reshape(n_atoms, width, 2 * lam + 1)
        weight = (2 * lam + 1) ** -settings.l_weight
        blocks.append((x, weight))
        parts.append((x @ x.transpose(1, 2)).reshape(n_atoms, -1) * weight)
    spectrum = torch.cat(parts, 1)
    norm = spectrum.norm(dim=1, keepdim=True).clamp_min(1e-300)
    q = spectrum / norm
    same = (species[:, None] == model.sparse_species[None, :]).to(q.dtype)
    k = q @ sparse.T  # (A, M)
    coefficient = (model.delta**2 * model.zeta * k ** (model.zeta - 1) * same / norm).T
    out = density.new_empty(n_sparse, n_atoms, n_species, density.shape[2])
    for lam, (x, weight) in enumerate(blocks):
        columns = slice(lam * width * width, (lam + 1) * width * width)
        xs = sparse[:, columns].reshape(n_sparse, width, width)
        qs = q[:, columns].reshape(n_atoms, width, width)
        own = (qs + qs.transpose(1, 2)) @ x  # (A, S n, 2l + 1)
        flat = x.permute(1, 0, 2).reshape(width, -1)
        each = ((xs + xs.transpose(1, 2)).reshape(-1, width) @ flat)  # (M S n, A (2l + 1))
        each = each.reshape(n_sparse, width, n_atoms, 2 * lam + 1).permute(0, 2, 1, 3)
        grad_x = weight * coefficient[:, :, None, None] * (each - k.T[:, :, None, None] * own)
        grad_x = grad_x.reshape(n_sparse, n_atoms, n_species, n_max, 2 * lam + 1)
        out[..., lam * lam * n_max:(lam + 1) ** 2 * n_max] = (
            grad_x.transpose(-1, -2).reshape(n_sparse, n_atoms, n_species, -1))
    return out


def soap_pair_gradients(model, density, species, first, neighbour_species, derivatives):
    """d(sum_i Phi_im)/dr_p (M, P, 3) from the densities (A, S, F), the pairs' first atoms and
    neighbour species (P,), and the pair expansions' derivatives dc_p/dr_p (P, F, 3)."""
    n_atoms, n_pairs = len(species), len(first)
    grads = density.new_zeros(model.n_sparse, n_pairs, 3)
    if n_pairs == 0:
        return grads
    n_species = density.shape[1]
    keys, order = torch.sort(first * n_species + neighbour_species, stable=True)
    bounds = torch.searchsorted(keys, torch.arange(n_atoms * n_species + 1))
    for start in range(0, n_atoms, ATOM_BLOCK):
        stop = min(start + ATOM_BLOCK, n_atoms)
        block = kernel_density_gradients(model, density[start:stop], species[start:stop])
        for atom in range(start, stop):
            for s in range(n_species):
                key = atom * n_species + s
                pairs = order[bounds[key]:bounds[key + 1]]
                if len(pairs) == 0:
                    continue
                d = derivatives[pairs].permute(1, 0, 2).reshape(derivatives.shape[1], -1)
                rows = block[:, atom - start, s, :] @ d  # (M, 3 n)
                grads[:, pairs] = rows.reshape(model.n_sparse, len(pairs), 3)
    return grads
