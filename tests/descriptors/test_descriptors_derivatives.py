"""Descriptor derivatives: per-pair dG_i/dr_ij against finite differences of the descriptors,
and the two gradient kernels (per-pair derivatives, chain rule) against each other."""

import numpy as np
import physics_helpers as ph
import pytest

from mlpot.descriptors.acsf import ACSF
from mlpot.neighbours.pairs import neighbour_pairs

EPS = 1e-5  # Å


def _pairs(acsf, atoms):
    return neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)


def _position_derivatives(pairs, deriv, n_atoms):
    """dG_i/dR_k (N, F, N, 3) from dG_i/dr_p (P, F, 3), with r_p = R_j - R_i + shift."""
    dense = np.zeros((n_atoms, deriv.shape[1], n_atoms, 3))
    for p, (i, j) in enumerate(zip(pairs.first, pairs.second, strict=True)):
        dense[i, :, j] += deriv[p]
        dense[i, :, i] -= deriv[p]
    return dense


def _numerical_position_derivatives(acsf, atoms):
    n, f = len(atoms), acsf.n_features
    out = np.zeros((n, f, n, 3))
    for k in range(n):
        for x in range(3):
            moved = []
            for step in (EPS, -EPS):
                displaced = atoms.copy()
                displaced.positions[k, x] += step
                moved.append(ph.compute_descriptors(acsf, displaced))
            out[:, :, k, x] = (moved[0] - moved[1]) / (2 * EPS)
    return out


def _check_against_finite_differences(sfset, atoms):
    acsf = ACSF(sfset)
    pairs = _pairs(acsf, atoms)
    values, deriv = acsf.compute_with_derivatives(acsf.species(atoms.numbers), pairs)
    np.testing.assert_allclose(values, ph.compute_descriptors(acsf, atoms), rtol=1e-13, atol=1e-13)
    analytic = _position_derivatives(pairs, deriv, len(atoms))
    numerical = _numerical_position_derivatives(acsf, atoms)
    scale = np.abs(numerical).max()
    assert scale > 0.1
    np.testing.assert_allclose(analytic, numerical, rtol=0, atol=1e-6 * scale)


@pytest.mark.parametrize("make", [ph.bulk_alni, ph.triclinic, ph.molecule])
def test_pair_derivatives_match_finite_differences(make):
    _check_against_finite_differences(ph.make_sfset(), make())


@pytest.mark.parametrize("cutoff_function", ph.CUTOFF_FUNCTIONS, ids=ph.cutoff_id)
def test_pair_derivatives_for_each_cutoff_function(cutoff_function):
    _check_against_finite_differences(ph.make_sfset(cutoff_function), ph.molecule())


def test_chain_rule_kernel_matches_pair_derivatives():
    """pair_gradients (used for forces) == sum_f dE/dG_if dG_if/dr_p (used for training)."""
    acsf = ACSF(ph.make_sfset())
    atoms = ph.bulk_alni()
    species = acsf.species(atoms.numbers)
    pairs = _pairs(acsf, atoms)
    _, deriv = acsf.compute_with_derivatives(species, pairs)
    _, workspace = acsf.compute(species, pairs)
    dedg = np.random.default_rng(0).normal(size=(len(atoms), acsf.n_features))
    expected = np.einsum("pfx,pf->px", deriv, dedg[pairs.first])
    actual = acsf.pair_gradients(species, pairs, dedg, workspace)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
