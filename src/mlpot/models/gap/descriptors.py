"""SOAP power spectra of a batch, with featomic's per-atom expansion where it suffices.

Two routes give the same atom densities c_i[a] (A, S, F) as functions of the pair vectors:

- atoms: featomic's SphericalExpansion sums each atom's density itself; its position gradient
  rows d c_i/d R_j are the pair derivatives d c_i[species(j)]/d r_p when atom i meets atom j in
  one pair p only. Used whenever that holds (no atom meets two images of another, or its own
  image, within the cutoff), and always without gradients. It writes about half the gradient
  rows of the pair route and sums the densities in featomic.
- pairs: featomic's per-pair expansion (mlpot.models.gap.soap.pair_expansion), summed in
  torch; every pair keeps its own derivative (cells shorter than twice the cutoff).

Both link their derivatives to the pair vectors for autograd (forces and stress).
"""

from __future__ import annotations

import numpy as np
import torch

from mlpot.models.gap.pair_derivatives import GradientBlock, PairDerivatives
from mlpot.models.gap.soap import (
    SoapSettings,
    atom_density,
    calculator,
    pair_expansion,
    pair_system,
    power_spectrum,
)


def one_pair_each(n_atoms: int, first: np.ndarray, second: np.ndarray) -> bool:
    """Whether every ordered atom pair (i, j), i != j, occurs at most once and no atom meets its
    own image."""
    if np.any(first == second):
        return False
    keys = first.astype(np.int64) * n_atoms + second
    return len(np.unique(keys)) == len(keys)


def atom_expansion(
    settings: SoapSettings,
    elements_numbers: np.ndarray,
    numbers: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    shifts: np.ndarray,
    vectors: np.ndarray,
    gradients: bool = True,
) -> tuple[np.ndarray, PairDerivatives | None]:
    """Densities c (A, S, F) of atoms with atomic numbers (A,) from the pairs (P,) given by
    first, second, shifts (P, 3) and vectors (P, 3) Å; S over `elements_numbers`, F ordered
    l, m, n. With gradients (only where `one_pair_each` holds): dc/dr_p (1/Å) as gradient
    blocks whose source rows index c viewed as (A S, F)."""
    n_atoms, n_species, n_max = len(numbers), len(elements_numbers), settings.n_max
    system = pair_system(numbers, first, second, shifts, vectors)
    tensor = calculator(settings, "SphericalExpansion").compute(
        system, gradients=["positions"] if gradients else [], use_native_system=False)
    species_of = {int(z): s for s, z in enumerate(elements_numbers)}
    density = np.zeros((n_atoms, n_species, settings.n_coefficients))
    pairs = _PairIndex(first, second, n_atoms)
    blocks = []
    for key, block in tensor.items():
        lam, s = int(key["o3_lambda"]), species_of[int(key["neighbor_type"])]
        columns = slice(lam * lam * n_max, (lam + 1) ** 2 * n_max)
        centres = block.samples.values[:, 1]
        density[centres, s, columns] = block.values.reshape(len(centres), -1)
        if gradients:
            blocks.append(_gradient_block(block, columns, centres, s, n_species, pairs))
    if not gradients:
        return density, None
    return density, PairDerivatives(len(first), settings.n_coefficients, blocks)


class _PairIndex:
    """The index p of ordered atom pairs (i, j) among P pairs, each occurring at most once."""

    def __init__(self, first: np.ndarray, second: np.ndarray, n_atoms: int):
        self.n_atoms = n_atoms
        keys = first.astype(np.int64) * n_atoms + second
        self.order = np.argsort(keys)
        self.sorted = keys[self.order]

    def __call__(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """(R,) p of each (i, j), -1 where none."""
        if len(self.sorted) == 0:
            return np.full(len(i), -1)
        query = i.astype(np.int64) * self.n_atoms + j
        where = np.minimum(np.searchsorted(self.sorted, query), len(self.sorted) - 1)
        return np.where(self.sorted[where] == query, self.order[where], -1)


def _gradient_block(block, columns: slice, centres, s: int, n_species: int, pairs):
    """The rows d c_i[s]/d R_j of one block: the derivative with respect to pair (i, j), of
    source row i S + s of the densities; rows with j == i (a centre's own position) belong to
    no pair."""
    gradient = block.gradient("positions")
    i, j = centres[gradient.samples.values[:, 0]], gradient.samples.values[:, 2]
    values = gradient.values
    return GradientBlock(columns, values.reshape(len(values), 3, columns.stop - columns.start),
                         pairs(i, j), i.astype(np.int64) * n_species + s)


def soap_descriptors(
    settings: SoapSettings,
    elements_numbers: np.ndarray,
    species: torch.Tensor,
    first: torch.Tensor,
    second: torch.Tensor,
    shifts: torch.Tensor,
    vectors: torch.Tensor,
) -> torch.Tensor:
    """q (A, D) of a batch (species (A,), pairs (P,), shifts (P, 3), vectors (P, 3) Å),
    differentiable with respect to `vectors` when they require grad."""
    numbers = elements_numbers[species.cpu().numpy()]
    arrays = (first.cpu().numpy(), second.cpu().numpy(),
              np.rint(shifts.detach().cpu().numpy()).astype(np.int64),
              vectors.detach().cpu().double().numpy())
    gradients = vectors.requires_grad
    if gradients and not one_pair_each(len(numbers), *arrays[:2]):
        return power_spectrum(settings, pair_densities(settings, elements_numbers, species,
                                                       first, second, arrays, vectors))
    density, derivatives = atom_expansion(settings, elements_numbers, numbers, *arrays,
                                          gradients=gradients)
    values = torch.as_tensor(density.reshape(len(numbers) * len(elements_numbers), -1),
                             dtype=vectors.dtype, device=vectors.device)
    if derivatives is not None:
        values = derivatives.link(values, vectors)
    return power_spectrum(settings, values.reshape(density.shape))


def pair_densities(settings, elements_numbers, species, first, second, arrays, vectors):
    """c (A, S, F) by the pair route from the pairs as tensors and as `arrays` (first, second,
    shifts, vectors in NumPy), linked to `vectors` when they require grad."""
    numbers = elements_numbers[species.cpu().numpy()]
    values, derivatives, centre = pair_expansion(settings, numbers, *arrays,
                                                 gradients=vectors.requires_grad)
    like = dict(dtype=vectors.dtype, device=vectors.device)
    pair_values = torch.as_tensor(values, **like)
    if derivatives is not None:
        pair_values = derivatives.link(pair_values, vectors)
    return atom_density(settings, len(elements_numbers), species, first, second, pair_values,
                        torch.as_tensor(centre, **like))
