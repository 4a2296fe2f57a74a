"""SOAP power spectra of a batch from featomic's per-atom densities, for every cell.

featomic's SphericalExpansion sums each atom's density itself, and its position gradient rows
d c_i/d R_a are the pair derivatives d c_i[species(j)]/d r_p when atom i meets atom a in one
pair p only. Images make that fail in cells shorter than twice the cutoff (an atom meets two
images of another, or its own image), so each of those images is handed to featomic as an
atom of its own (an image atom: a copy of the atom at that cell shift, without a density of
its own): atom i then meets each neighbour, real or image, in exactly one pair, and every
gradient row belongs to one pair. The densities are unchanged (the same neighbours at the
same vectors); featomic computes them only for the real atoms. Pairs whose atoms meet once
keep their atom and cell shift.

The rows are linked to the pair vectors for autograd (forces and stress,
mlpot.models.gap.pair_derivatives).
"""

from __future__ import annotations

import numpy as np
import torch

from mlpot.models.gap.featomic_system import pair_system
from mlpot.models.gap.pair_derivatives import GradientBlock, PairDerivatives
from mlpot.models.gap.soap import SoapSettings, calculator, power_spectrum

SHIFT_RANGE = 512  # cell shifts are below this in magnitude (keys of image atoms)


def image_atoms(n_atoms: int, first: np.ndarray, second: np.ndarray, shifts: np.ndarray):
    """(partner (P,), shifts (P, 3), image_of (G,)): each pair's neighbour as an atom index and
    its cell shift for featomic. A pair whose atoms meet only once keeps its atom and shift;
    the others (an atom meeting several images of another, or its own image) get an image atom
    each, index n_atoms + k and shift 0, one per distinct atom and cell shift met; image_of:
    the atom each image atom copies."""
    keys = first.astype(np.int64) * n_atoms + second
    _, index, counts = np.unique(keys, return_inverse=True, return_counts=True)
    image = (counts[index] > 1) | (first == second)
    partner, shifts = second.astype(np.int64), shifts.copy()
    if not image.any():
        return partner, shifts, np.zeros(0, dtype=np.int64)
    shifted = shifts[image].astype(np.int64) + SHIFT_RANGE
    width = 2 * SHIFT_RANGE
    keys = ((second[image].astype(np.int64) * width + shifted[:, 0]) * width
            + shifted[:, 1]) * width + shifted[:, 2]
    unique, index = np.unique(keys, return_inverse=True)
    partner[image] = n_atoms + index
    shifts[image] = 0
    return partner, shifts, unique // width**3


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
    l, m, n. With gradients: dc/dr_p (1/Å) as gradient blocks whose source rows index c viewed
    as (A S, F)."""
    n_atoms, n_species, n_max = len(numbers), len(elements_numbers), settings.n_max
    partner, featomic_shifts, image_of = image_atoms(n_atoms, first, second, shifts)
    every = np.concatenate([numbers, numbers[image_of]])
    system = pair_system(every, first, partner, featomic_shifts, vectors)
    selected = None
    if len(image_of):
        from metatensor import Labels

        centres = np.stack([np.zeros(n_atoms, np.int32), np.arange(n_atoms, dtype=np.int32)], 1)
        selected = Labels(["system", "atom"], centres)
    tensor = calculator(settings).compute(
        system, gradients=["positions"] if gradients else [], use_native_system=False,
        selected_samples=selected)
    species_of = {int(z): s for s, z in enumerate(elements_numbers)}
    density = np.zeros((n_atoms, n_species, settings.n_coefficients))
    pairs = _PairIndex(first, partner, len(every))
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
    """The rows d c_i[s]/d R_a of one block: the derivative with respect to pair (i, a), of
    source row i S + s of the densities; rows with a == i (a centre's own position) belong to
    no pair."""
    gradient = block.gradient("positions")
    i, a = centres[gradient.samples.values[:, 0]], gradient.samples.values[:, 2]
    values = gradient.values
    return GradientBlock(columns, values.reshape(len(values), 3, columns.stop - columns.start),
                         pairs(i, a), i.astype(np.int64) * n_species + s)


def pair_arrays(first, second, shifts, vectors) -> tuple[np.ndarray, ...]:
    """A batch's pairs (tensors) as atom_expansion takes them: first, second, integer cell
    shifts and float64 vectors, in NumPy."""
    return (first.cpu().numpy(), second.cpu().numpy(),
            np.rint(shifts.detach().cpu().numpy()).astype(np.int64),
            vectors.detach().cpu().double().numpy())


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
    density, derivatives = atom_expansion(
        settings, elements_numbers, numbers, *pair_arrays(first, second, shifts, vectors),
        gradients=vectors.requires_grad)
    values = torch.as_tensor(density.reshape(len(numbers) * len(elements_numbers), -1),
                             dtype=vectors.dtype, device=vectors.device)
    if derivatives is not None:
        values = derivatives.link(values, vectors)
    return power_spectrum(settings, values.reshape(density.shape))
