"""Per-atom descriptor metadynamics: hills in the space of each atom's projected descriptors.

V(R) = sum_i sum_h w_h exp(-|p_i - c_h|^2 / (2 sigma^2)) (sigma per dimension), with p_i (K,)
the projection of atom i's scaled descriptors (DescriptorCV.atom_projections). Every `stride`
steps a hill is placed at each (chosen) atom's p_i, so every environment the run has visited
is pushed away from, wherever in the cell it occurs: a single atom's environment can change
without moving the cell's mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from mlpot.sampling.bias import BiasTerms
from mlpot.sampling.descriptor_cv import DescriptorCV, from_atom_gradients
from mlpot.sampling.hills import Metadynamics, gaussians


class AtomicMetadynamics(Metadynamics):
    """Metadynamics with hills at atoms' projected descriptors; `deposit_atoms`: the atoms
    whose environments receive hills (all by default). Values recorded: p (N, K)."""

    def __init__(
        self,
        cv: DescriptorCV,
        height: float,
        widths: float | Sequence[float],
        stride: int = 50,
        bias_factor: float | None = None,
        temperature: float | None = None,
        deposit_atoms: Sequence[int] | None = None,
    ):
        super().__init__(cv, height, widths, stride, bias_factor, temperature)
        self.deposit_atoms = None if deposit_atoms is None else list(deposit_atoms)

    def terms(self, atoms: Atoms) -> BiasTerms:
        found = self.cv.atom_projections(atoms)
        energies, dvdp = gaussians(found.values, self.centres, self.heights, self.widths)
        dvdg = np.einsum("nfk,nk->nf", found.jacobian, dvdp)[:, :, None]  # (N, F, 1)
        total = from_atom_gradients(np.array([energies.sum()]), dvdg, found, atoms)
        virial = None if total.virial is None else total.virial[0]
        return BiasTerms(found.values, float(energies.sum()), total.gradient[0], virial)

    def update(self, values: np.ndarray, step: int) -> bool:
        if step % self.stride:
            return False
        chosen = values if self.deposit_atoms is None else values[self.deposit_atoms]
        for point in chosen:
            self.deposit(point)
        return True
