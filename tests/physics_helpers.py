"""Shared builders for the physics tests: an Al-Ni symmetry-function set, a seeded random-weight
model, and small structures (bulk, triclinic, slab, molecule) that exercise periodic images.

The set mixes G2, G4 and G5 with non-zero r_s, integer and non-integer zeta, both lambdas and
two cutoff radii; Ni has fewer functions than Al so that descriptor rows carry zero padding.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from ase import Atoms

from mlpot.calculators import MlpotCalculator
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)
from mlpot.models.interaction import InteractionSpec
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.testing.checks import to_frame  # noqa: F401  (for the tests that import it here)

ELEMENTS = ("Al", "Ni")
CUTOFF = 4.6  # Å, the largest radius of the set
SHORT_CUTOFF = 3.9  # Å, a second radius used by some functions
# every cutoff shape with an inner radius (alpha > 0) where the shape has one
CUTOFF_FUNCTIONS = [
    CutoffFunction(kind, alpha)
    for kind in ("cos", "exp", "poly1", "poly2", "poly3", "poly4")
    for alpha in (0.0, 0.3)
] + [CutoffFunction(kind) for kind in ("tanhu", "tanh", "hard")]
SMOOTH_CUTOFF_FUNCTIONS = [c for c in CUTOFF_FUNCTIONS if c.kind != "hard"]
NETWORKS = {"Al": NetworkSpec((8, 6), "silu"), "Ni": NetworkSpec((7,), "tanh")}


def cutoff_id(cutoff_function: CutoffFunction) -> str:
    return f"{cutoff_function.kind}-{cutoff_function.alpha:g}"


def make_sfset(
    cutoff_function: CutoffFunction | None = None, mixed_shells: bool = True
) -> SymmetryFunctionSet:
    """The Al-Ni test set (23 functions for Al, 20 for Ni; without the mixed-shell functions,
    which n2p2 cannot express, 20 and 17)."""
    functions = {}
    for center in ELEMENTS:
        sfs: list = []
        for neighbor in ELEMENTS:
            sfs += [
                RadialG2(center, neighbor, 0.5, 0.0, CUTOFF),
                RadialG2(center, neighbor, 1.2, 2.4, CUTOFF),
                RadialG2(center, neighbor, 0.8, 3.9, CUTOFF),  # large near the cutoff
                RadialG2(center, neighbor, 0.3, 1.0, SHORT_CUTOFF),
            ]
        for pair in (("Al", "Al"), ("Al", "Ni"), ("Ni", "Ni")):
            sfs += [
                AngularG4(center, pair, 0.05, 1.0, 1.0, CUTOFF),
                AngularG4(center, pair, 0.2, -1.0, 3.5, SHORT_CUTOFF, rs=1.5),
                AngularG5(center, pair, 0.1, -1.0, 2.0, CUTOFF, rs=0.8),
                AngularG5Mixed(center, pair, 0.4, 1.0, 2.0, CUTOFF, rs=2.2, rs2=3.4),
                AngularG5(center, pair, 0.02, 1.0, 1.7, CUTOFF),
            ]
        if center == "Ni":  # a shorter row: columns beyond n_features stay zero
            sfs = sfs[:5] + sfs[7:-1]
        if not mixed_shells:
            sfs = [sf for sf in sfs if not isinstance(sf, AngularG5Mixed)]
        functions[center] = tuple(sfs)
    return SymmetryFunctionSet(ELEMENTS, functions, cutoff_function or CutoffFunction())


def make_model(
    sfset: SymmetryFunctionSet | None = None,
    dtype: torch.dtype = torch.float64,
    seed: int = 0,
    interaction: InteractionSpec | None = None,
) -> NeuralNetworkPotential:
    """A random-weight model whose network inputs are G / max|G| over the test structures, so
    they are O(1) and the networks work away from saturation; with `interaction`, its
    neighbour messages too."""
    sfset = sfset or make_sfset()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NeuralNetworkPotential(sfset, NETWORKS, torch.float64, interaction)
    acsf = ACSF(sfset)
    structures = (bulk_alni(), triclinic(), slab(), molecule())
    g = np.concatenate([compute_descriptors(acsf, atoms) for atoms in structures])
    species = np.concatenate([acsf.species(atoms.numbers) for atoms in structures])
    for e, element in enumerate(sfset.elements):
        largest = g[species == e, : sfset.n_features(element)].max(axis=0)
        model.scalers[element].scale.copy_(torch.from_numpy(np.where(largest > 0, largest, 1.0)))
    if model.interaction is not None:
        model.interaction.neighbours.fill_(20.0)  # about the test structures' neighbour count
    model.reference_energies.copy_(torch.tensor([-3.1, -5.4]))
    model.energy_scale.fill_(0.7)
    return model.to(dtype)


@functools.cache
def cutoff_model(cutoff_function: CutoffFunction) -> NeuralNetworkPotential:
    """make_model(make_sfset(cutoff_function)), built once per process: do not modify it."""
    return make_model(make_sfset(cutoff_function))


def calculator(model: NeuralNetworkPotential, atoms: Atoms, skin: float = 1.0) -> Atoms:
    """`atoms` with a fresh MlpotCalculator attached (returned for chaining)."""
    atoms.calc = MlpotCalculator(model, skin=skin)
    return atoms


def compute_descriptors(acsf: ACSF, atoms: Atoms) -> np.ndarray:
    """(N, F) descriptors of `atoms` from a fresh neighbour list."""
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    return acsf.compute(acsf.species(atoms.numbers), pairs)[0]


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal 3x3 matrix (uniformly distributed; det +1 or -1)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    return q * np.sign(np.diag(r))


def _rattle(atoms: Atoms, amplitude: float, seed: int) -> Atoms:
    rng = np.random.default_rng(seed)
    atoms.positions += rng.uniform(-amplitude, amplitude, size=atoms.positions.shape)
    return atoms


def bulk_alni(seed: int = 1) -> Atoms:
    """Rattled L1_2 Ni3Al, cubic cell of 3.57 Å: smaller than the cutoff, so every atom sees
    several images of every atom, its own included."""
    scaled = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)]
    atoms = Atoms("AlNi3", scaled_positions=scaled, cell=3.57 * np.eye(3), pbc=True)
    return _rattle(atoms, 0.15, seed)


def triclinic(seed: int = 3) -> Atoms:
    """Three atoms in a strongly skewed cell (angles far from 90 degrees)."""
    cell = [[4.0, 0.0, 0.0], [1.7, 3.6, 0.0], [-1.2, 0.9, 4.1]]
    scaled = [(0.1, 0.2, 0.05), (0.55, 0.45, 0.5), (0.3, 0.8, 0.7)]
    atoms = Atoms("AlNiNi", scaled_positions=scaled, cell=cell, pbc=True)
    return _rattle(atoms, 0.1, seed)


def slab(seed: int = 5) -> Atoms:
    """Two Al-Ni layers periodic in x, y, with vacuum along z (pbc = T, T, F)."""
    scaled = [(0.0, 0.0, 0.4), (0.5, 0.5, 0.4), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5)]
    cell = [[3.7, 0.0, 0.0], [0.6, 3.5, 0.0], [0.0, 0.0, 18.0]]
    atoms = Atoms("AlNiNiAl", scaled_positions=scaled, cell=cell, pbc=(True, True, False))
    return _rattle(atoms, 0.1, seed)


def molecule(seed: int = 6) -> Atoms:
    """A five-atom cluster, no cell, no periodicity."""
    positions = [
        (0.0, 0.0, 0.0),
        (2.3, 0.2, -0.1),
        (0.3, 2.4, 0.2),
        (1.2, 1.1, 2.1),
        (-1.9, 1.0, 1.2),
    ]
    return _rattle(Atoms("AlNiAlNiNi", positions=positions), 0.1, seed)


def own_images(symbol: str = "Ni") -> Atoms:
    """One atom in a skewed cell about half the cutoff: it sees only its own images."""
    cell = [[2.6, 0.0, 0.0], [0.8, 2.5, 0.0], [0.3, -0.6, 2.7]]
    return Atoms(symbol, positions=[(0.2, 0.1, 0.3)], cell=cell, pbc=True)


def multi_fidelity_copy(model, names=("low", "high"), target="high", seed=3):
    """`model` with a fidelity input (mlpot.models.fidelity): its weights where the shapes
    agree, new random ones for the fidelity inputs, and non-zero per-fidelity shifts."""
    from mlpot.models.fidelity import Fidelities

    fidelities = Fidelities(tuple(names), target)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        copy = type(model).from_spec({**model.spec(), "fidelities": fidelities.to_spec()})
        state = copy.state_dict()
        for key, value in model.state_dict().items():
            if state[key].shape == value.shape:
                state[key] = value
        copy.load_state_dict(state)
        with torch.no_grad():
            copy.fidelity_shifts.copy_(torch.randn(copy.fidelity_shifts.shape))
    copy.metadata = {}
    return copy
