"""Builders for the uncertainty tests: committees of random-weight Al-Ni models, EMT-labelled
Al-Ni frames (with EMT's atomic energies), training ranges, and a tiny training configuration.
Everything is generated here with ASE; no data files are needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import yaml
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write
from physics_helpers import make_model

from mlpot.data.frame import Frame
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing


def committee(n: int = 3, dtype: torch.dtype = torch.float64) -> list[NeuralNetworkPotential]:
    """n random-weight Al-Ni models with one descriptor set and different weights."""
    return [make_model(dtype=dtype, seed=k) for k in range(n)]


def emt_frame(atoms: Atoms, source: str) -> Frame:
    """atoms labelled by EMT: energy, forces, stress and EMT's per-atom energies (eV)."""
    atoms = atoms.copy()
    atoms.calc = EMT()
    return Frame(
        numbers=atoms.numbers.copy(),
        positions=atoms.positions.copy(),
        cell=atoms.cell.array.copy(),
        pbc=atoms.pbc.copy(),
        energy=atoms.get_potential_energy(),
        forces=atoms.get_forces(),
        stress=atoms.get_stress(),
        source=source,
        atomic_energies=atoms.get_potential_energies(),
    )


def alni_cell(rng: np.random.Generator, rattle: float = 0.08) -> Atoms:
    """A rattled 8-atom fcc Al-Ni cell (cubic cell doubled along x) of random composition."""
    atoms = bulk("Al", "fcc", a=3.85 + 0.1 * rng.random(), cubic=True).repeat((2, 1, 1))
    atoms.symbols[rng.permutation(8)[: rng.integers(2, 6)]] = "Ni"
    atoms.rattle(rattle, seed=int(rng.integers(1 << 30)))
    return atoms


def emt_frames(n: int, seed: int = 0) -> list[Frame]:
    rng = np.random.default_rng(seed)
    return [emt_frame(alni_cell(rng), f"emt:{k}") for k in range(n)]


def fit_ranges(model: NeuralNetworkPotential, frames: list[Frame]) -> NeuralNetworkPotential:
    """Fit the model's preprocessing (descriptor ranges included) on frames, as training does."""
    prepared = prepare_frames(frames, model, model.dtype, ["default"], progress=False)
    fit_preprocessing(model, frames, prepared, "minmax", pca=False)
    return model


def unlabelled(atoms: Atoms, source: str = "test:0") -> Frame:
    return Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc, 0.0, source=source)


def write_cu_config(directory: Path, epochs: int = 2, n_train: int = 12) -> Path:
    """A tiny `mlpot train` configuration on EMT Cu data in directory; returns its path."""
    rng = np.random.default_rng(0)
    for name, n in (("train.xyz", n_train), ("test.xyz", 3)):
        cells = [bulk("Cu", "fcc", a=3.55 + 0.1 * rng.random(), cubic=True) for _ in range(n)]
        for k, atoms in enumerate(cells):
            atoms.rattle(0.08, seed=k)
        frames = [emt_frame(atoms, f"{name}:{k}").to_atoms() for k, atoms in enumerate(cells)]
        write(directory / name, frames, format="extxyz")
    settings = {
        "output": "run",
        "data": {
            "train": [{"name": "bulk", "files": ["train.xyz"]}],
            "validation": 0.25,
            "test": [{"name": "held-out", "files": ["test.xyz"]}],
        },
        "descriptors": {"cutoff": 4.5, "n_radial": 4, "zeta": [1.0, 2.0]},
        "model": {"hidden": [6]},
        "training": {"epochs": epochs, "batch_size": 4, "loss": {"energy": 1.0, "forces": 0.1}},
    }
    config = directory / "config.yaml"
    config.write_text(yaml.safe_dump(settings))
    return config
