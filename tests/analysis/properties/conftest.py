"""A tiny mlpot model with real physics for the property checks: a Morse pair potential for
Al written as a network.

With radial G2 functions G_k(i) = sum_j exp(-eta (r_ij - rs_k)^2) fc(r_ij) and a linear network
E_i = sum_k c_k G_k(i), the model is the pair potential phi(r) = 2 sum_k c_k exp(-eta (r -
rs_k)^2) fc(r); c_k are least-squares fitted to Morse(r) fc(r) (Girifalco-Weizer Al
parameters). It is built in milliseconds, has a stable fcc crystal near a = 4.27 Å and is a
genuine NeuralNetworkPotential (saved and loaded like any model).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import RadialG2, SymmetryFunctionSet
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

CUTOFF = 6.0  # Å
ETA = 1.0  # 1/Å^2
CENTRES = np.arange(1.5, 6.01, 0.5)  # Å, the r_s of the G2 functions
MORSE = (0.2703, 1.1646, 3.253)  # depth eV, alpha 1/Å, r0 Å
PAIR_MODEL_LATTICE = 4.267  # Å, fcc equilibrium of the model (from its equation of state)


def morse_pair_model() -> NeuralNetworkPotential:
    functions = tuple(RadialG2("Al", "Al", ETA, float(rs), CUTOFF) for rs in CENTRES)
    sfset = SymmetryFunctionSet(("Al",), {"Al": functions}, CutoffFunction("cos"))
    r = np.linspace(2.2, CUTOFF, 400)
    cutoff = 0.5 * (np.cos(np.pi * r / CUTOFF) + 1)
    basis = np.exp(-ETA * (r[:, None] - CENTRES[None, :]) ** 2) * cutoff[:, None]
    depth, alpha, r0 = MORSE
    morse = depth * (np.exp(-2 * alpha * (r - r0)) - 2 * np.exp(-alpha * (r - r0)))
    coefficients, *_ = np.linalg.lstsq(basis, 0.5 * morse * cutoff, rcond=None)
    model = NeuralNetworkPotential(sfset, {"Al": NetworkSpec((1,), "linear")})
    with torch.no_grad():
        first, _, last = model.networks["Al"]
        first.weight.copy_(torch.from_numpy(coefficients)[None, :])
        first.bias.zero_()
        last.weight.fill_(1.0)
        last.bias.zero_()
    return model


@pytest.fixture(scope="session")
def pair_model_file(tmp_path_factory):
    """Path of the saved Morse-pair model file."""
    from mlpot.models.serialization import save_model

    path = tmp_path_factory.mktemp("pair_model") / "al_pair.pt"
    save_model(morse_pair_model(), path)
    return path


@pytest.fixture(scope="session")
def pair_al_files(tmp_path_factory):
    """Conventional and primitive fcc Al cells at the pair model's equilibrium, as extxyz."""
    import ase.io
    from ase.build import bulk

    folder = tmp_path_factory.mktemp("pair_structures")
    files = {"cubic": folder / "al_cubic.xyz", "primitive": folder / "al_primitive.xyz"}
    ase.io.write(files["cubic"], bulk("Al", "fcc", a=PAIR_MODEL_LATTICE, cubic=True))
    ase.io.write(files["primitive"], bulk("Al", "fcc", a=PAIR_MODEL_LATTICE))
    return files
