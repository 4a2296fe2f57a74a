"""SIMPLE-NN potential files: a hand-made potential recomputed from the formulas, round trips of
mlpot models through the format, and errors for files and models the format cannot hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from mlpot.calculators import MlpotCalculator
from mlpot.interop import read_potential

FIXTURE = Path(__file__).parents[1] / "fixtures" / "simple_nn" / "potential_saved_OH"

# The numbers of potential_saved_OH, in SIMPLE-NN's order (R_c, eta, R_s or zeta, lambda).
O_FUNCTIONS = [
    ("G2", ("H",), 4.0, 0.5, 0.9, 0.0),
    ("G4", ("H", "H"), 4.0, 0.1, 2.0, -1.0),
    ("G5", ("H", "H"), 3.5, 0.05, 1.0, 1.0),
]
H_FUNCTIONS = [("G2", ("O",), 4.0, 0.8, 0.0, 0.0), ("G5", ("O", "H"), 4.0, 0.2, 4.0, -1.0)]
O_SCALE = (np.array([0.5, 0.01, 0.2]), np.array([2.0, 0.5, 0.25]))
H_SCALE = (np.array([0.1, 0.0]), np.array([1.0, 0.5]))


def _fc(r, rc):
    return 0.5 * (np.cos(np.pi * r / rc) + 1.0) if r < rc else 0.0


def _g(function, i, positions, symbols):
    """One SIMPLE-NN symmetry function of atom i, summed straight from its definition."""
    kind, partners, rc, eta, third, lam = function
    r = lambda a, b: np.linalg.norm(positions[b] - positions[a])  # noqa: E731
    others = [j for j in range(len(symbols)) if j != i]
    if kind == "G2":
        return sum(
            np.exp(-eta * (r(i, j) - third) ** 2) * _fc(r(i, j), rc)
            for j in others
            if symbols[j] == partners[0]
        )
    total = 0.0
    for a, j in enumerate(others):
        for k in others[a + 1 :]:
            if sorted((symbols[j], symbols[k])) != sorted(partners):
                continue
            rij, rik, rjk = r(i, j), r(i, k), r(j, k)
            cos = np.dot(positions[j] - positions[i], positions[k] - positions[i]) / (rij * rik)
            term = 2 ** (1 - third) * (1 + lam * cos) ** third * _fc(rij, rc) * _fc(rik, rc)
            if kind == "G4":
                total += term * np.exp(-eta * (rij**2 + rik**2 + rjk**2)) * _fc(rjk, rc)
            else:
                total += term * np.exp(-eta * (rij**2 + rik**2))
    return total


def _hand_energy(positions, symbols):
    """The energy of potential_saved_OH, eV: scale, then each element's layers."""
    energy = 0.0
    for i, symbol in enumerate(symbols):
        functions, (shift, width) = (
            (O_FUNCTIONS, O_SCALE) if symbol == "O" else (H_FUNCTIONS, H_SCALE)
        )
        x = (np.array([_g(f, i, positions, symbols) for f in functions]) - shift) / width
        if symbol == "O":
            hidden = np.tanh(np.array([[0.3, -0.2, 0.5], [-0.4, 0.6, 0.2]]) @ x + [0.1, -0.05])
            energy += np.dot([1.5, -0.7], hidden) - 2.0
        else:
            pca = np.array([[0.8, 0.6], [-0.6, 0.8]]) @ x + [-0.1, 0.2]
            z = np.array([[1.0, -1.0], [0.5, 0.25]]) @ pca + [0.0, 0.3]
            energy += np.dot([0.9, -1.1], 1 / (1 + np.exp(-z))) - 0.4
    return energy


def _water_trimer() -> Atoms:
    return Atoms("OHHH", positions=[[0, 0, 0], [0.96, 0, 0], [-0.3, 0.9, 0.1], [0.4, 0.3, 1.6]])


def test_hand_made_potential_gives_the_energy_of_the_formulas():
    atoms = _water_trimer()
    atoms.calc = MlpotCalculator(read_potential("simple-nn", FIXTURE))
    expected = _hand_energy(atoms.positions, atoms.get_chemical_symbols())
    assert atoms.get_potential_energy() == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_hand_made_potential_forces_are_minus_the_gradient_of_the_formulas():
    atoms = _water_trimer()
    atoms.calc = MlpotCalculator(read_potential("simple-nn", FIXTURE))
    symbols, h = atoms.get_chemical_symbols(), 1e-5
    numeric = np.zeros((len(atoms), 3))
    for a in range(len(atoms)):
        for c in range(3):
            plus, minus = atoms.positions.copy(), atoms.positions.copy()
            plus[a, c] += h
            minus[a, c] -= h
            numeric[a, c] = -(_hand_energy(plus, symbols) - _hand_energy(minus, symbols)) / (2 * h)
    np.testing.assert_allclose(atoms.get_forces(), numeric, atol=1e-7)


def test_imported_structure_matches_the_file():
    model = read_potential("simple-nn", FIXTURE)
    assert model.elements == ("O", "H")
    assert model.sfset.n2p2_lines() == [
        "O 2 H 0.5 0.9 4.0",
        "O 3 H H 0.1 -1 2.0 4.0",
        "O 9 H H 0.05 1 1.0 3.5",
        "H 2 O 0.8 0.0 4.0",
        "H 9 H O 0.2 -1 4.0 4.0",
    ]
    assert (model.network_specs["O"].hidden, model.network_specs["O"].activation) == ((2,), "tanh")
    # H's PCA layer is folded into its sigmoid layer
    assert model.network_specs["H"].hidden == (2,)
    assert model.network_specs["H"].activation == "sigmoid"
