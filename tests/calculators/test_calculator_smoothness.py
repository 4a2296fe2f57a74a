"""Smoothness at the cutoff: energy and forces of a dimer and a trimer are continuous where a
distance crosses a cutoff radius (or an inner radius), and vanish beyond the outer one.

The hard cutoff (a step at r_c by definition) is the control: the same checks see its jump.
"""

import numpy as np
import pytest
import torch
from ase import Atoms
from physics_helpers import (
    CUTOFF,
    SHORT_CUTOFF,
    SMOOTH_CUTOFF_FUNCTIONS,
    calculator,
    cutoff_id,
    cutoff_model,
)

from mlpot.descriptors.cutoffs import CutoffFunction

H = 1e-7  # Å either side of a crossing
SIDE = 2.3  # Å, the fixed Al-Ni bond of the trimer


def _dimer(d):
    return Atoms("AlNi", positions=[(0, 0, 0), (d, 0, 0)])


def _trimer(d):
    """Al at the origin, Ni fixed at SIDE along y, Ni moving along x at distance d."""
    return Atoms("AlNiNi", positions=[(0, 0, 0), (0, SIDE, 0), (d, 0, 0)])


def _dimer_crossings(cutoff_function):
    radii = [CUTOFF, SHORT_CUTOFF]
    return radii + [cutoff_function.alpha * r for r in radii if cutoff_function.alpha > 0]


def _trimer_crossings(cutoff_function):
    """Values of d where r_02 = d or r_12 = sqrt(d^2 + SIDE^2) crosses a radius."""
    d = _dimer_crossings(cutoff_function)
    return d + [np.sqrt(r * r - SIDE * SIDE) for r in d if r > SIDE]


def _jumps(model, make, crossings):
    """Largest change of energy and of forces across any crossing (d - H to d + H)."""
    de = df = 0.0
    for d in crossings:
        inside = calculator(model, make(d - H))
        outside = calculator(model, make(d + H))
        de = max(de, abs(inside.get_potential_energy() - outside.get_potential_energy()))
        df = max(df, np.abs(inside.get_forces() - outside.get_forces()).max())
    return de, df


def _isolated_energy(model, symbols):
    return sum(calculator(model, Atoms(s)).get_potential_energy() for s in symbols)


@pytest.mark.parametrize("cutoff_function", SMOOTH_CUTOFF_FUNCTIONS, ids=cutoff_id)
@pytest.mark.parametrize(
    "make, crossings",
    [(_dimer, _dimer_crossings), (_trimer, _trimer_crossings)],
    ids=["dimer", "trimer"],
)
def test_continuous_across_cutoffs(cutoff_function, make, crossings):
    model = cutoff_model(cutoff_function)
    de, df = _jumps(model, make, crossings(cutoff_function))
    # continuous: energy changes by ~2 H |F| (|F| < 1 eV/Å here), forces by ~2 H |dF/dr|;
    # a step in a descriptor at a crossing changes the energy by ~1e-2 eV (see the hard cutoff)
    assert de < 1e-6
    assert df < 1e-5


@pytest.mark.parametrize("cutoff_function", SMOOTH_CUTOFF_FUNCTIONS, ids=cutoff_id)
def test_dimer_vanishes_at_the_cutoff(cutoff_function):
    model = cutoff_model(cutoff_function)
    isolated = _isolated_energy(model, ("Al", "Ni"))
    near = calculator(model, _dimer(CUTOFF - 1e-4))
    far = calculator(model, _dimer(CUTOFF + 1e-4))
    assert far.get_potential_energy() == pytest.approx(isolated, abs=1e-12)
    assert not far.get_forces().any()
    assert abs(near.get_potential_energy() - isolated) < 1e-6
    assert np.abs(near.get_forces()).max() < 1e-3
    # not because the dimer does not interact near the cutoff (between the two radii, only
    # the outer functions see it, the steepest cutoff shape, poly4, gives ~4e-5 eV there)
    mid = calculator(model, _dimer(0.5 * (CUTOFF + SHORT_CUTOFF)))
    assert abs(mid.get_potential_energy() - isolated) > 1e-6


def test_hard_cutoff_jump_is_detected():
    model = cutoff_model(CutoffFunction("hard"))
    de, _ = _jumps(model, _dimer, [CUTOFF])
    assert de > 1e-4


def test_isolated_atom(alni_model):
    """Zero descriptors, zero force, and E = E_ref + scale * NN(preprocess(0)) for its element."""
    m = alni_model
    for e, element in enumerate(m.elements):
        atoms = calculator(m, Atoms(element))
        zero = torch.zeros(1, m.sfset.n_features(element), dtype=m.dtype)
        network = m.networks[element](m.scalers[element](zero))
        expected = m.reference_energies[e] + m.energy_scale * network
        assert atoms.get_potential_energy() == pytest.approx(expected.item(), abs=1e-12)
        assert not atoms.get_forces().any()
