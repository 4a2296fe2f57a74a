"""mlpot models written as SIMPLE-NN potentials and read back predict the same energies, forces
and stresses (1e-10 relative): multi-element, G2/G4/G5, PCA on and off, several scalings and
each activation SIMPLE-NN has; the energy scale and reference energies fold into the file."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.build import bulk

from mlpot.calculators import MlpotCalculator
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    RadialG2,
    SymmetryFunctionSet,
)
from mlpot.interop import read_potential, write_potential
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs

ELEMENTS = ("Al", "Ni")


def _sfset(elements=ELEMENTS) -> SymmetryFunctionSet:
    functions = {}
    for center in elements:
        sfs: list = []
        for neighbour in elements:
            sfs += [
                RadialG2(center, neighbour, 0.5, 0.0, 4.6),
                RadialG2(center, neighbour, 1.2, 2.4, 3.9),
            ]
        for pair in {tuple(sorted((a, b))) for a in elements for b in elements}:
            sfs += [
                AngularG4(center, pair, 0.05, 1.0, 1.0, 4.6),
                AngularG4(center, pair, 0.2, -1.0, 3.5, 3.9),
                AngularG5(center, pair, 0.1, -1.0, 2.0, 4.6),
            ]
        functions[center] = tuple(sfs[: len(sfs) - (center == "Ni")])  # Ni: one fewer
    return SymmetryFunctionSet(tuple(elements), functions)


def _structures(elements=ELEMENTS) -> list[Atoms]:
    crystal = bulk("Al", "fcc", a=4.05, cubic=True).repeat((2, 2, 1))
    crystal.symbols[[1, 4, 6]] = elements[-1]
    crystal.rattle(0.08, seed=1)
    crystal.set_cell(
        crystal.cell.array @ np.array([[1, 0.03, 0], [0, 1, 0.02], [0, 0, 0.98]]), scale_atoms=True
    )
    cluster = Atoms(
        f"{elements[0]}3{elements[-1]}2",
        positions=[[0, 0, 0], [2.5, 0, 0], [0, 2.6, 0.2], [1.3, 1.2, 1.9], [2.2, 2.4, -0.8]],
    )
    return [crystal, cluster]


def _model(activations: dict[str, str], scaling: str, pca: bool, seed: int = 0):
    """A random-weight model whose scalers are fitted on the test structures."""
    sfset = _sfset()
    torch.manual_seed(seed)
    specs = {e: NetworkSpec((7, 5), activations[e]) for e in ELEMENTS}
    model = NeuralNetworkPotential(sfset, specs, torch.float64)
    acsf = ACSF(sfset)
    rows = {e: [] for e in ELEMENTS}
    for atoms in _structures():
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
        species = acsf.species(atoms.numbers)
        g = acsf.compute(species, pairs)[0]
        for e, element in enumerate(ELEMENTS):
            rows[element].append(g[species == e, : sfset.n_features(element)])
    for element in ELEMENTS:
        model.scalers[element].fit(torch.from_numpy(np.concatenate(rows[element])), scaling, pca)
    model.energy_scale.fill_(0.37)
    model.reference_energies.copy_(torch.tensor([-3.1, -5.4], dtype=torch.float64))
    return model.eval()


def _predictions(model, atoms: Atoms):
    atoms = atoms.copy()
    atoms.calc = MlpotCalculator(model)
    stress = atoms.get_stress() if atoms.pbc.all() else np.zeros(6)
    return atoms.get_potential_energies(), atoms.get_forces(), stress


CASES = {
    "tanh-minmax": ({"Al": "tanh", "Ni": "tanh"}, "minmax", False),
    "sigmoid-meanstd-pca": ({"Al": "sigmoid", "Ni": "sigmoid"}, "meanstd", True),
    "silu-minmax-pca": ({"Al": "silu", "Ni": "silu"}, "minmax", True),
    "selu-unscaled": ({"Al": "selu", "Ni": "selu"}, "none", False),
    "relu-and-tanh-pca": ({"Al": "relu", "Ni": "tanh"}, "meanstd", True),
    "linear-minmax": ({"Al": "linear", "Ni": "linear"}, "minmax", False),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_round_trip_keeps_energies_forces_and_stress(case, tmp_path):
    model = _model(*case)
    written = write_potential("simple-nn", model, tmp_path / "potential_saved")
    assert written == [tmp_path / "potential_saved"]
    back = read_potential("simple-nn", written[0])
    for atoms in _structures():
        (e0, f0, s0), (e1, f1, s1) = _predictions(model, atoms), _predictions(back, atoms)
        assert abs(e1.sum() - e0.sum()) <= 1e-10 * abs(e0.sum())
        np.testing.assert_allclose(e1, e0, rtol=1e-10, atol=0)
        np.testing.assert_allclose(f1, f0, rtol=0, atol=1e-10 * np.abs(f0).max())
        np.testing.assert_allclose(s1, s0, rtol=0, atol=1e-10 * max(np.abs(s0).max(), 1e-30))


def test_round_trip_keeps_functions_and_networks(tmp_path):
    model = _model({"Al": "silu", "Ni": "sigmoid"}, "minmax", True)
    path = write_potential("simple-nn", model, tmp_path / "potential_saved")[0]
    back = read_potential("simple-nn", path)
    assert back.sfset == model.sfset
    assert back.network_specs == model.network_specs
    text = path.read_text()
    assert text.startswith("ELEM_LIST Al Ni\n")
    assert text.count("LAYER 0 linear PCA") == 2
    assert "LAYER 1 swish" in text  # mlpot's silu is SIMPLE-NN's swish
    # a second round trip writes the same numbers (PCA now folded into the first layer)
    again = read_potential("simple-nn", write_potential("simple-nn", back, tmp_path / "p2")[0])
    energies = [_predictions(m, _structures()[0])[0] for m in (back, again)]
    np.testing.assert_allclose(energies[1], energies[0], rtol=1e-12)
