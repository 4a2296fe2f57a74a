"""Neighbour messages: an atom's energy sees its neighbours' environments (reaching twice the
descriptor cutoff), only neighbours within the message cutoff send, and forces and stress stay
the exact gradients with a message cutoff shorter than the descriptors'."""

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress
from physics_helpers import CUTOFF, bulk_alni, calculator, make_model, molecule

from mlpot.models.interaction import InteractionSpec


def _chain(far: float) -> Atoms:
    """Al at 0, Ni at 3 Å, Al at `far` Å on a line (with a small kink to avoid symmetry)."""
    return Atoms("AlNiAl", positions=[(0, 0, 0), (3.0, 0.2, 0), (far, 0.0, 0.3)])


def _first_energy(model, atoms):
    return calculator(model, atoms).get_potential_energies()[0]


def test_messages_reach_beyond_the_descriptor_cutoff(alni_model, interaction_model):
    """The third atom is beyond the first's cutoff but within the second's: it changes the
    first atom's energy only through the second atom's message."""
    near, moved = _chain(CUTOFF + 1.0), _chain(CUTOFF + 1.3)
    assert _first_energy(alni_model, near) == _first_energy(alni_model, moved)
    change = _first_energy(interaction_model, near) - _first_energy(interaction_model, moved)
    assert abs(change) > 1e-6


def test_only_neighbours_within_the_message_cutoff_send():
    """With messages from 2.5 Å only, the second atom (3 Å away) sends none to the first."""
    model = make_model(interaction=InteractionSpec(features=6, radial=5, cutoff=2.5))
    assert model.interaction.cutoff == 2.5
    near, moved = _chain(CUTOFF + 1.0), _chain(CUTOFF + 1.3)
    assert _first_energy(model, near) == _first_energy(model, moved)


@pytest.mark.parametrize("make", [bulk_alni, molecule], ids=["bulk", "molecule"])
def test_forces_and_stress_with_a_short_message_cutoff(make):
    model = make_model(interaction=InteractionSpec(features=6, radial=5, cutoff=3.1))
    atoms = calculator(model, make())
    numerical = calculate_numerical_forces(atoms, eps=1e-5)
    scale = np.abs(numerical).max()
    np.testing.assert_allclose(atoms.get_forces(), numerical, rtol=0, atol=1e-6 * scale)
    if atoms.pbc.all():
        numerical = calculate_numerical_stress(atoms, eps=1e-5)
        scale = np.abs(numerical).max()
        np.testing.assert_allclose(atoms.get_stress(), numerical, rtol=0, atol=1e-6 * scale)


def test_message_cutoff_is_at_most_the_descriptor_cutoff():
    model = make_model(interaction=InteractionSpec(cutoff=2 * CUTOFF))
    assert model.interaction.cutoff == CUTOFF
