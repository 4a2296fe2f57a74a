"""Forces and stress from dE/dr_ij of every pair (torch, for training; mlpot.models.pair_sums
is the NumPy twin used in inference, tested equal).

For a pair p = (i, j) with r_p = R_j - R_i + shift and f_p = dE/dr_p (eV/Å):
    F_i += f_p,  F_j -= f_p                               (F = -dE/dR)
    W = sum_p f_p (outer) r_p,  stress = W / V             (ASE: stress = (1/V) dE/d(strain))
"""

from __future__ import annotations

import torch

VOIGT = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))


def forces_from_pair_gradients(
    pair_gradients: torch.Tensor, first: torch.Tensor, second: torch.Tensor, n_atoms: int
) -> torch.Tensor:
    """(N, 3) forces, eV/Å, from dE/dr_p (P, 3) and the pair atoms (P,), (P,)."""
    forces = pair_gradients.new_zeros((n_atoms, 3))
    forces = forces.index_add(0, first, pair_gradients)
    return forces.index_add(0, second, -pair_gradients)


def virials_from_pair_gradients(
    pair_gradients: torch.Tensor,
    vectors: torch.Tensor,
    pair_structure: torch.Tensor,
    n_structures: int,
) -> torch.Tensor:
    """(S, 3, 3) dE/d(strain) = sum_p f_p (outer) r_p per structure, eV."""
    outer = pair_gradients[:, :, None] * vectors[:, None, :]
    virials = pair_gradients.new_zeros((n_structures, 3, 3))
    return virials.index_add(0, pair_structure, outer)


def stress_from_virials(virials: torch.Tensor, volumes: torch.Tensor) -> torch.Tensor:
    """(S, 6) stress, eV/Å^3, ASE sign and Voigt order, from virials (S, 3, 3) and volumes (S,).

    Stress exists only for cells periodic in all three directions; the others have volume 0
    and get zero rows here (training masks them out; calculators refuse to give it)."""
    sym = 0.5 * (virials + virials.transpose(1, 2))
    rows = torch.tensor([a for a, _ in VOIGT], device=virials.device)
    cols = torch.tensor([b for _, b in VOIGT], device=virials.device)
    periodic = volumes > 0
    volumes = torch.where(periodic, volumes, torch.ones_like(volumes))
    return sym[:, rows, cols] / volumes[:, None] * periodic[:, None]
