"""SOAP settings, featomic's per-pair density expansion and the power spectrum.

featomic (the `gap` extra) expands each directed pair's Gaussian density on a GTO x spherical
harmonics basis, c_p[l, m, n] (P, F), with analytic derivatives; pairs are handed to it exactly
as mlpot lists them (mlpot.neighbours.pairs), so image pairs of cells shorter than the cutoff
keep their own vectors. In torch, the atom densities and power spectrum follow:

    c_i[a] = centre_i[a] + sum_{p: first = i, species(second) = a} c_p       (A, S, F)
    p_i[a n, b n', l] = sum_m c_i[a, l, m, n] c_i[b, l, m, n']                 (A, D)
    q_i = p_i / |p_i|

so autograd takes forces and stress through the pair vectors (mlpot.models.precomputed).
mlpot.models.gap.descriptors chooses between this route and featomic's per-atom densities.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from mlpot.models.gap.featomic_system import featomic_module, pair_system
from mlpot.models.gap.pair_derivatives import GradientBlock, PairDerivatives


@dataclass(frozen=True)
class SoapSettings:
    """cutoff and width of its cosine smoothing (Å), l_max, n_max (radial functions), the
    Gaussian atom_sigma (Å); channel l of the power spectrum is scaled by
    (2l + 1)^-l_weight before normalisation (1: the mean over m rather than the sum)."""

    cutoff: float = 5.0
    width: float = 0.5
    l_max: int = 8
    n_max: int = 8
    atom_sigma: float = 0.5
    l_weight: float = 1.0

    @property
    def n_coefficients(self) -> int:
        """F: coefficients of one pair, (l_max + 1)^2 n_max."""
        return (self.l_max + 1) ** 2 * self.n_max

    def hypers(self) -> dict:
        return {
            "cutoff": {"radius": self.cutoff,
                       "smoothing": {"type": "ShiftedCosine", "width": self.width}},
            "density": {"type": "Gaussian", "width": self.atom_sigma},
            "basis": {"type": "TensorProduct", "max_angular": self.l_max,
                      "radial": {"type": "Gto", "max_radial": self.n_max - 1}},
        }


def _keys(first, second, shifts, n_atoms: int) -> np.ndarray:
    """One int64 per directed pair (first, second, shift), for matching featomic's samples."""
    s = shifts.astype(np.int64) + 512
    return ((first.astype(np.int64) * n_atoms + second) * 1024 + s[:, 0]) * 1024 ** 2 + (
        s[:, 1] * 1024 + s[:, 2])


def pair_expansion(
    settings: SoapSettings,
    numbers: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    shifts: np.ndarray,
    vectors: np.ndarray,
    gradients: bool = True,
) -> tuple[np.ndarray, PairDerivatives | None, np.ndarray]:
    """featomic's expansion of the directed pairs (P,) given by first, second, shifts (P, 3)
    and vectors (P, 3) Å among atoms of atomic numbers (N,).

    Returns values (P, F), derivatives dvalues/dr_p (1/Å; None without gradients) and the
    centre atom's own term (N, F); F ordered l, m, n."""
    # position gradients are cheaper, but cancel on pairs of an atom with its own image
    by_strain = gradients and bool(np.any(first == second))
    kind = ["strain"] if by_strain else ["positions"] if gradients else []
    system = pair_system(numbers, first, second, shifts, vectors)
    tensor = calculator(settings, "SphericalExpansionByPair").compute(
        system, gradients=kind, use_native_system=False)
    n_pairs, n_atoms, n_max = len(first), len(numbers), settings.n_max
    values = np.zeros((n_pairs, settings.n_coefficients))
    dense = np.zeros((n_pairs, settings.n_coefficients, 3)) if by_strain else None
    blocks = []
    centre = np.zeros((n_atoms, settings.n_coefficients))
    keys = _keys(first, second, shifts, n_atoms)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    for key, block in tensor.items():
        lam = int(key["o3_lambda"])
        columns = slice(lam * lam * n_max, (lam + 1) ** 2 * n_max)
        samples = block.samples.values
        i, j, s = samples[:, 1], samples[:, 2], samples[:, 3:6]
        own = (i == j) & ~s.any(1)
        flat = block.values.reshape(len(samples), (2 * lam + 1) * n_max)
        centre[i[own], columns] += flat[own]
        wanted = _keys(i[~own], j[~own], s[~own], n_atoms)
        where = np.minimum(np.searchsorted(sorted_keys, wanted), max(n_pairs - 1, 0))
        found = sorted_keys[where] == wanted
        rows = order[where[found]]
        values[rows, columns] = flat[~own][found]
        if by_strain:
            _strain_to_vector(block, rows, np.flatnonzero(~own)[found], vectors,
                              dense[:, columns])
        elif gradients:
            blocks.append(_neighbour_rows(block, columns, rows, np.flatnonzero(~own)[found]))
    if not gradients:
        return values, None, centre
    return values, PairDerivatives(n_pairs, settings.n_coefficients, blocks, dense), centre


@functools.lru_cache(maxsize=8)
def calculator(settings: SoapSettings, name: str):
    """featomic's calculator `name` (SphericalExpansionByPair, SphericalExpansion)."""
    return getattr(featomic_module(), name)(**settings.hypers())


def _neighbour_rows(block, columns: slice, rows, samples) -> GradientBlock:
    """featomic's position-gradient rows of one block; those with respect to the neighbour j
    are dc_p/dr_p (c_p depends on R_j + shift - R_i) for pair rows[q] of sample samples[q]."""
    gradient = block.gradient("positions")
    sample, atom = gradient.samples.values[:, 0], gradient.samples.values[:, 2]
    pair_of_sample = np.full(len(block.samples), -1)
    pair_of_sample[samples] = rows
    on_neighbour = atom == block.samples.values[sample, 2]
    pair = np.where(on_neighbour, pair_of_sample[sample], -1)
    values = gradient.values
    width = columns.stop - columns.start
    return GradientBlock(columns, values.reshape(len(values), 3, width), pair)


def _strain_to_vector(block, rows, samples, vectors, out) -> None:
    """d c_p / d r_p from featomic's strain gradients: dc/d eps_ab = r_a dc/dr_b, so
    dc/dr = r . (dc/d eps) / |r|^2."""
    gradient = block.gradient("strain")
    index = np.full(len(block.samples), -1)
    index[gradient.samples.values[:, 0]] = np.arange(len(gradient.samples))
    grads = gradient.values[index[samples]]  # (p, 3 [a: xyz_2], 3 [b: xyz_1], 2l+1, n)
    r = vectors[rows]
    norm2 = np.einsum("pa,pa->p", r, r)[:, None, None, None]
    dc = np.einsum("pabmn,pa->pmnb", grads, r) / norm2
    out[rows] = dc.reshape(len(rows), out.shape[1], 3)


def atom_density(
    settings: SoapSettings,
    n_species: int,
    species: torch.Tensor,
    first: torch.Tensor,
    second: torch.Tensor,
    pair_values: torch.Tensor,
    centre: torch.Tensor,
) -> torch.Tensor:
    """c (A, S, F): each atom's centre term (A, F) plus its pairs' expansions (P, F), by the
    neighbour's species."""
    n_atoms = len(species)
    density = centre.new_zeros(n_atoms, n_species, settings.n_coefficients)
    density[torch.arange(n_atoms), species] = centre
    return density.index_put((first, species[second]), pair_values, accumulate=True)


def power_spectrum(settings: SoapSettings, density: torch.Tensor) -> torch.Tensor:
    """Normalised power spectra q (A, D) of densities (A, S, F); D = (S n_max)^2 (l_max + 1)."""
    n_atoms, n_species, n_max = density.shape[0], density.shape[1], settings.n_max
    parts = []
    for lam in range(settings.l_max + 1):
        block = density[:, :, lam * lam * n_max:(lam + 1) ** 2 * n_max]
        block = block.reshape(n_atoms, n_species, 2 * lam + 1, n_max)
        x = block.permute(0, 1, 3, 2).reshape(n_atoms, n_species * n_max, 2 * lam + 1)
        weight = (2 * lam + 1) ** -settings.l_weight
        parts.append((x @ x.transpose(1, 2)).reshape(n_atoms, -1) * weight)
    spectrum = torch.cat(parts, 1)
    return spectrum / spectrum.norm(dim=1, keepdim=True).clamp_min(1e-300)


def soap_pairs(inputs, vectors: torch.Tensor, cutoff: float):
    """first, second, shifts, vectors of a batch's (ModelInputs) pairs within `cutoff`."""
    first, second, shifts = inputs.pair_first, inputs.pair_second, inputs.features["shifts"]
    inside = vectors.detach().norm(dim=1) < cutoff
    if bool(inside.all()):
        return first, second, shifts, vectors
    return first[inside], second[inside], shifts[inside], vectors[inside]
