"""One structure's rows of the GAP design matrix: its total energy, force components and
virial as linear functions of the weights (columns: SOAP sparse points, then two-body).

    energy row:  sum_i Phi_i                                        (M,)
    force rows:  F_k = -d/dR_k sum_i Phi_i                          (N, 3, M)
    virial rows: dE/d eps_ab = sum_p (dPhi/dr_p)_a r_p,b            (3, 3, M), = stress V
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from mlpot.models.gap.descriptors import atom_expansion, pair_arrays
from mlpot.models.gap.kernel_gradients import soap_pair_gradients
from mlpot.models.gap.kernels import soap_kernel, two_body_basis
from mlpot.models.gap.soap import power_spectrum, soap_pairs
from mlpot.models.inputs import ModelInputs


class Rows(NamedTuple):
    energy: torch.Tensor  # (M,)
    forces: torch.Tensor  # (N, 3, M)
    virial: torch.Tensor  # (3, 3, M)


def structure_inputs(model, frame) -> ModelInputs:
    """The model's float64 inputs of one frame (mlpot.data.frame.Frame)."""
    structure = model.structure_inputs(frame.numbers, frame.positions, frame.cell, frame.pbc)
    return ModelInputs.of_structure(structure, frame.cell, frame.pbc, torch.float64)


def _pair_gradients(model, inputs: ModelInputs):
    """d(sum_i Phi_soap_i)/dr_p (M, P', 3) over the SOAP pairs P' and those pairs."""
    first, second, shifts, vectors = soap_pairs(inputs, inputs.pair_vectors, model.soap.cutoff)
    species = inputs.species
    density, derivatives = atom_expansion(
        model.soap, model.numbers, model.numbers[species.numpy()],
        *pair_arrays(first, second, shifts, vectors))
    density = torch.from_numpy(density)
    q = power_spectrum(model.soap, density)
    energy = soap_kernel(q, species, model.sparse, model.sparse_species, model.zeta,
                         model.delta).sum(0)
    grads = soap_pair_gradients(model, density, species, first, species[second],
                                torch.from_numpy(derivatives.dense()))
    return energy, grads, first, second, vectors


def design_rows(model, inputs: ModelInputs) -> Rows:
    """The rows of one structure (float64; the model's sparse points must be set)."""
    energy, grads, first, second, vectors = _pair_gradients(model, inputs)
    n_atoms = len(inputs.species)
    soap = _derivative_rows(grads, first, second, vectors, n_atoms)

    def pair_sum(v):
        return two_body_basis(model.two_body, len(model.elements), n_atoms, inputs.species,
                              inputs.pair_first, inputs.pair_second, v).sum(0)

    all_vectors = inputs.pair_vectors
    pair_energy = pair_sum(all_vectors)
    pair_grads = torch.func.jacrev(pair_sum)(all_vectors)  # (K, P, 3)
    pair = _derivative_rows(pair_grads, inputs.pair_first, inputs.pair_second, all_vectors,
                            n_atoms)
    return Rows(torch.cat([energy, pair_energy]),
                torch.cat([soap[0], pair[0]], 2), torch.cat([soap[1], pair[1]], 2))


def _derivative_rows(grads, first, second, vectors, n_atoms):
    """Forces (N, 3, M) and virials (3, 3, M) from pair gradients (M, P, 3)."""
    forces = grads.new_zeros(n_atoms, 3, grads.shape[0])
    g = grads.permute(1, 2, 0)  # (P, 3, M)
    forces.index_add_(0, first, g)
    forces.index_add_(0, second, -g)
    virial = torch.einsum("pam,pb->abm", g, vectors)
    return forces, virial
