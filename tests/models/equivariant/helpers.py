"""Small random-weight equivariant models and their energy and forces on ASE structures (pairs
from mlpot.neighbours.pairs, forces with the sign convention of mlpot.models.forces)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from ase import Atoms

pytest.importorskip("e3nn")

from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings  # noqa: E402
from mlpot.models.forces import forces_from_pair_gradients  # noqa: E402
from mlpot.neighbours.pairs import neighbour_pairs  # noqa: E402

ELEMENTS = ("Al", "Ni")
CUTOFF = 4.6  # Å, as the descriptor models' physics tests
SETTINGS = {
    # the default path: scalar node features between layers (uncoupled messages)
    "scalar": EquivariantSettings(
        channels=4,
        l_max=2,
        correlation=3,
        interactions=2,
        radial_hidden=(8,),
        readout_hidden=4,
        average_neighbours=10.0,
    ),
    # vectors between layers (e3nn-coupled messages), three layers, correlation 2, an MLP
    # readout on every layer
    "vector": EquivariantSettings(
        channels=3,
        l_max=2,
        hidden_l_max=1,
        correlation=2,
        interactions=3,
        radial_hidden=(8, 8),
        readout_hidden=4,
        average_neighbours=10.0,
        envelope_p=5,
        mlp_readouts="all",
    ),
}


@functools.cache
def make_model(kind: str, dtype: torch.dtype = torch.float64) -> EquivariantPotential:
    """A seeded random-weight model (built once per process: do not modify it)."""
    with torch.random.fork_rng():
        torch.manual_seed(7)
        model = EquivariantPotential(ELEMENTS, CUTOFF, SETTINGS[kind], torch.float64)
        with torch.no_grad():  # non-trivial per-element buffers
            model.energy_scale.copy_(torch.tensor([0.7, 1.3]))
            model.energy_shift.copy_(torch.tensor([-0.2, 0.1]))
            model.reference_energies.copy_(torch.tensor([-3.0, -5.0]))
    return model.to(dtype)


def species_of(model: EquivariantPotential, atoms: Atoms) -> torch.Tensor:
    index = {element: k for k, element in enumerate(model.elements)}
    return torch.tensor([index[s] for s in atoms.get_chemical_symbols()], dtype=torch.long)


def pair_inputs(model: EquivariantPotential, atoms: Atoms):
    """(species, first, second, vectors) of `atoms` in the model's dtype."""
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, model.cutoff)
    dtype = model.reference_energies.dtype
    return (
        species_of(model, atoms),
        torch.from_numpy(pairs.first),
        torch.from_numpy(pairs.second),
        torch.from_numpy(pairs.vectors).to(dtype),
    )


def atomic_energies(model: EquivariantPotential, atoms: Atoms) -> np.ndarray:
    with torch.no_grad():
        return model.graph_energies(*pair_inputs(model, atoms)).numpy()


def energy_and_forces(model: EquivariantPotential, atoms: Atoms) -> tuple[float, np.ndarray]:
    """(E eV, F (N, 3) eV/Å) with F from dE/dvectors."""
    species, first, second, vectors = pair_inputs(model, atoms)
    vectors.requires_grad_(True)
    energy = model.graph_energies(species, first, second, vectors).sum()
    (gradients,) = torch.autograd.grad(energy, vectors)
    forces = forces_from_pair_gradients(gradients, first, second, len(atoms))
    return float(energy.detach()), forces.detach().numpy()


def numerical_forces(model: EquivariantPotential, atoms: Atoms, h: float = 1e-4) -> np.ndarray:
    """-dE/dR by central differences of the energy in atom positions."""
    forces = np.zeros((len(atoms), 3))
    for i in range(len(atoms)):
        for a in range(3):
            energies = []
            for step in (h, -h):
                moved = atoms.copy()
                moved.positions[i, a] += step
                energies.append(atomic_energies(model, moved).sum())
            forces[i, a] = -(energies[0] - energies[1]) / (2 * h)
    return forces
