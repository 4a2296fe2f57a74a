"""The arithmetic of the fast kernel paths: the polynomial tanh of the fused networks, and narrow
angular functions with a chain of integer zetas (1, 2, 4, 16: powers by repeated squaring) on a
crowded periodic cell, against the slow reference and finite differences of the energy."""

import numpy as np
import torch
from ase.build import bulk
from reference import symmetry_functions

from mlpot.descriptors import kernels
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.symmetry_functions import AngularG4, RadialG2, SymmetryFunctionSet
from mlpot.models.evaluate import DescriptorEvaluator
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs

CUTOFF = 5.2  # Å


def test_polynomial_tanh_matches_libm():
    tiny = np.geomspace(1e-300, 1.0, 2000)
    x = np.concatenate([np.linspace(-25.0, 25.0, 20001), tiny, -tiny, [0.0, 400.0, -400.0]])
    ours = np.array([kernels._tanh(v) for v in x])
    np.testing.assert_allclose(ours, np.tanh(x), rtol=1e-15, atol=0)
    assert kernels._tanh(0.0) == 0.0
    assert kernels._tanh(1e4) == 1.0 and kernels._tanh(-1e4) == -1.0


def _zeta_chain_model() -> NeuralNetworkPotential:
    """Two G2 and eight narrow G4 (lambda +-1, zeta 1, 2, 4, 16) of bcc Mo, tanh networks."""
    radial = [RadialG2("Mo", "Mo", eta, rs, CUTOFF) for eta, rs in ((0.5, 2.7), (1.0, 4.4))]
    angular = [
        AngularG4("Mo", ("Mo", "Mo"), 0.02, lam, zeta, CUTOFF)
        for lam in (-1.0, 1.0)
        for zeta in (1.0, 2.0, 4.0, 16.0)
    ]
    sfset = SymmetryFunctionSet(("Mo",), {"Mo": tuple(radial + angular)})
    with torch.random.fork_rng():
        torch.manual_seed(7)
        return NeuralNetworkPotential(sfset, {"Mo": NetworkSpec((8, 8), "tanh")})


def _rattled_bcc(repeat: int = 1):
    """bcc Mo, 2 repeat^3 atoms of about 33 neighbours each."""
    atoms = bulk("Mo", "bcc", a=3.16, cubic=True).repeat(repeat)
    atoms.rattle(stdev=0.08, seed=11)
    return atoms


def _evaluate(model, acsf, atoms, forces: bool):
    """The calculators' evaluation of one model: .energies (1, N), .forces (1, N, 3)."""
    return DescriptorEvaluator([model], skin=0.0)(atoms, {"forces"} if forces else set())


def test_zeta_chain_matches_reference():
    model = _zeta_chain_model()
    acsf = ACSF(model.sfset)
    atoms = _rattled_bcc()
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    expected = symmetry_functions(atoms, model.sfset)
    assert np.abs(expected[:, 2:]).min() > 1e-5  # every angular function sees triplets
    np.testing.assert_allclose(acsf.compute(species, pairs)[0], expected, rtol=1e-12, atol=0)


def test_zeta_chain_forces_match_finite_differences():
    """Forces of the fused kernel against central differences of the energy-only path (the
    descriptor kernel and torch, no gradient code involved)."""
    model = _zeta_chain_model()
    acsf = ACSF(model.sfset)
    atoms = _rattled_bcc(repeat=2)
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    descriptors = torch.from_numpy(acsf.compute(species, pairs)[0])
    with torch.no_grad():  # O(1) network inputs, so that the angular terms matter
        model.scalers["Mo"].fit(descriptors, "meanstd", pca=False)
    forces = _evaluate(model, acsf, atoms, forces=True).forces[0]
    h = 1e-4  # Å
    numerical = np.zeros_like(forces)
    for atom in (0, 5, 11):
        for x in range(3):
            energies = []
            for step in (h, -h):
                moved = atoms.copy()
                moved.positions[atom, x] += step
                energies.append(_evaluate(model, acsf, moved, forces=False).energies.sum())
            numerical[atom, x] = -(energies[0] - energies[1]) / (2 * h)
    checked = forces[[0, 5, 11]]
    assert np.abs(checked).max() > 1e-2
    np.testing.assert_allclose(
        checked, numerical[[0, 5, 11]], rtol=0, atol=1e-7 * np.abs(checked).max()
    )
