"""Small EMT-labelled Al-Ni data and a model whose descriptor scaling is fitted on them.

Training-like structures are rattled 4-atom fcc cells (a = 3.9-4.0 Å, 1-3 Ni); out-of-
distribution structures are the same cells strongly compressed or expanded, a bcc phase, and
pure Ni. The model's weights are random (seeded): coverage and maps depend on the descriptors
and their scaling only, error analyses on whatever the model predicts.
"""

from __future__ import annotations

import numpy as np
import torch
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.data.frame import Frame
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.training.reference_energies import fit_reference_energies

ELEMENTS = ["Al", "Ni"]
SF_LINES = [
    *(f"{c} 2 {n} {eta} 0.0 5.0" for c in ELEMENTS for n in ELEMENTS for eta in (0.1, 0.5)),
    *(f"{c} 3 {a} {b} 0.05 {lam} 2.0 5.0"
      for c in ELEMENTS for a, b in (("Al", "Al"), ("Al", "Ni"), ("Ni", "Ni"))
      for lam in (-1, 1)),
]


def labelled(atoms: Atoms, source: str, group: str) -> Frame:
    """A Frame of atoms with EMT energy, forces and stress."""
    atoms.calc = EMT()
    return Frame(
        numbers=atoms.numbers.copy(), positions=atoms.positions.copy(),
        cell=atoms.cell.array.copy(), pbc=atoms.pbc.copy(), energy=atoms.get_potential_energy(),
        forces=atoms.get_forces(), stress=atoms.get_stress(), group=group, source=source,
    )


def fcc_frames(n: int, seed: int, group: str = "fcc", scale: float = 1.0) -> list[Frame]:
    """n rattled fcc Al-Ni cells from the training distribution (lattice times scale)."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n):
        atoms = bulk("Al", "fcc", a=scale * (3.9 + 0.1 * rng.random()), cubic=True)
        atoms.symbols[rng.permutation(4)[: 1 + k % 3]] = "Ni"
        atoms.rattle(0.1, seed=int(rng.integers(1 << 30)))
        frames.append(labelled(atoms, f"{group}:{k}", group))
    return frames


def outliers() -> list[Frame]:
    """Structures outside the fcc training distribution, one per kind (source = kind)."""
    frames = []
    for name, a in (("compressed", 3.4), ("expanded", 4.6)):
        atoms = bulk("Al", "fcc", a=a, cubic=True)
        atoms.symbols[:2] = "Ni"
        atoms.rattle(0.1, seed=1)
        frames.append(labelled(atoms, name, name))
    atoms = bulk("Al", "bcc", a=3.15, cubic=True).repeat((2, 1, 1))
    atoms.symbols[:2] = "Ni"
    atoms.rattle(0.1, seed=1)
    frames.append(labelled(atoms, "bcc", "bcc"))
    atoms = bulk("Ni", "fcc", a=3.95, cubic=True)
    atoms.rattle(0.1, seed=1)
    frames.append(labelled(atoms, "pure-Ni", "pure-Ni"))
    return frames


def fitted_model(train: list[Frame], seed: int = 0) -> NeuralNetworkPotential:
    """A random-weight model with min-max scaling and reference energies fitted on train."""
    sfset = SymmetryFunctionSet.from_n2p2_lines(SF_LINES, ELEMENTS, CutoffFunction("cos"))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NeuralNetworkPotential(sfset, {e: NetworkSpec((6,), "tanh") for e in ELEMENTS})
    acsf = ACSF(sfset)
    rows, species = [], []
    for frame in train:
        pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, acsf.cutoff)
        species.append(acsf.species(frame.numbers))
        rows.append(acsf.compute(species[-1], pairs)[0])
    g, s = np.concatenate(rows), np.concatenate(species)
    for e, element in enumerate(ELEMENTS):
        x = torch.from_numpy(g[s == e, : sfset.n_features(element)])
        model.scalers[element].fit(x, "minmax", pca=False)
    refs = fit_reference_energies(train, ELEMENTS)
    model.reference_energies.copy_(torch.tensor([refs[e] for e in ELEMENTS]))
    model.energy_scale.fill_(0.05)
    return model
