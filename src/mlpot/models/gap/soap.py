"""SOAP settings, featomic's calculators and the power spectrum.

featomic (the `gap` extra) expands each atom's Gaussian neighbour density on a GTO x spherical
harmonics basis, c_i[a, l, m, n] per neighbour species a, with analytic derivatives
(mlpot.models.gap.descriptors hands it mlpot's pairs). In torch, the power spectrum follows:

    p_i[a n, b n', l] = sum_m c_i[a, l, m, n] c_i[b, l, m, n']                 (A, D)
    q_i = p_i / |p_i|

so autograd takes forces and stress through the pair vectors (mlpot.models.precomputed).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

from mlpot.models.gap.featomic_system import featomic_module


@dataclass(frozen=True)
class SoapSettings:
    """cutoff and width of its cosine smoothing (Å), l_max, n_max (radial functions), the
    Gaussian atom_sigma (Å); channel l of the power spectrum is scaled by
    (2l + 1)^-l_weight before normalisation (1: the mean over m rather than the sum).
    Each neighbour's density is scaled by rate / (rate + (r / scale)^exponent) (Willatt et
    al. 2018, featomic's Willatt2018), so near neighbours weigh more; exponent 0: unscaled."""

    cutoff: float = 5.0
    width: float = 0.5
    l_max: int = 8
    n_max: int = 8
    atom_sigma: float = 0.5
    l_weight: float = 1.0
    scaling_exponent: int = 0
    scaling_scale: float = 1.0
    scaling_rate: float = 1.0

    @property
    def n_coefficients(self) -> int:
        """F: coefficients of one pair, (l_max + 1)^2 n_max."""
        return (self.l_max + 1) ** 2 * self.n_max

    def hypers(self) -> dict:
        return {
            "cutoff": {"radius": self.cutoff,
                       "smoothing": {"type": "ShiftedCosine", "width": self.width}},
            "density": {"type": "Gaussian", "width": self.atom_sigma, **self._scaling()},
            "basis": {"type": "TensorProduct", "max_angular": self.l_max,
                      "radial": {"type": "Gto", "max_radial": self.n_max - 1}},
        }

    def _scaling(self) -> dict:
        if self.scaling_exponent == 0:
            return {}
        return {"scaling": {"type": "Willatt2018", "exponent": self.scaling_exponent,
                            "rate": self.scaling_rate, "scale": self.scaling_scale}}


@functools.lru_cache(maxsize=8)
def calculator(settings: SoapSettings):
    """featomic's SphericalExpansion for these settings."""
    return featomic_module().SphericalExpansion(**settings.hypers())


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
