"""The physics checks fail for models that break physics: forces that are not the gradient of
the energy, an energy that depends on the orientation, a jump at the cutoff."""

from __future__ import annotations

import pytest
import torch
from pair_family import PairPotential

from mlpot.calculators import MlpotCalculator
from mlpot.testing import checks
from mlpot.testing.structures import STRUCTURES, dimer


class DetachedPart(PairPotential):
    """Half of each pair energy ignores how the pair vector moves: forces miss that half."""

    def atomic_energies(self, inputs, vectors):
        return 0.5 * (super().atomic_energies(inputs, vectors)
                      + super().atomic_energies(inputs, vectors.detach()))


class Oriented(PairPotential):
    """Adds a term in the x components of the pair vectors: not rotation invariant."""

    def atomic_energies(self, inputs, vectors):
        extra = torch.zeros_like(inputs.species, dtype=vectors.dtype)
        extra = extra.index_add(0, inputs.pair_first, 0.01 * vectors[:, 0] ** 2)
        return super().atomic_energies(inputs, vectors) + extra


class Stepped(PairPotential):
    """A pair term that is not zero at the cutoff: energy jumps as a pair leaves it."""

    def atomic_energies(self, inputs, vectors):
        r = torch.linalg.vector_norm(vectors, dim=1)
        step = torch.zeros_like(inputs.species, dtype=vectors.dtype)
        step = step.index_add(0, inputs.pair_first, 0.01 * (r < self.cutoff).to(vectors.dtype))
        return super().atomic_energies(inputs, vectors) + step


def _model(cls):
    with torch.random.fork_rng():
        torch.manual_seed(3)
        return cls(("Al", "Ni"), cutoff=4.6)


@pytest.mark.parametrize("name", ["bulk", "molecule"])
def test_forces_that_are_not_the_gradient_fail(name):
    atoms = STRUCTURES[name](("Al", "Ni"))
    checks.forces_match_finite_differences(lambda: MlpotCalculator(_model(PairPotential)), atoms)
    with pytest.raises(AssertionError):
        broken = _model(DetachedPart)
        checks.forces_match_finite_differences(lambda: MlpotCalculator(broken), atoms)


def test_an_oriented_energy_fails_the_rotation_check():
    atoms = STRUCTURES["triclinic"](("Al", "Ni"))
    checks.invariant_under_rotation(lambda: MlpotCalculator(_model(PairPotential)), atoms, 1e-10)
    with pytest.raises(AssertionError):
        checks.invariant_under_rotation(lambda: MlpotCalculator(_model(Oriented)), atoms, 1e-10)


def test_a_step_at_the_cutoff_fails_the_smoothness_check():
    def pair(d):
        return dimer(("Al", "Ni"), d)

    checks.smooth_at_cutoff(lambda: MlpotCalculator(_model(PairPotential)), pair, 4.6)
    with pytest.raises(AssertionError):
        checks.smooth_at_cutoff(lambda: MlpotCalculator(_model(Stepped)), pair, 4.6)
