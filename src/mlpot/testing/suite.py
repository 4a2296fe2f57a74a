"""The physics suite every model family runs (pytest; install mlpot's `test` extra).

A family's test module subclasses PotentialPhysicsTests with a `model` fixture and, where its
defaults do not fit, class attributes:

    class TestMyFamily(PotentialPhysicsTests):
        spacing = 2.35          # Å, nearest neighbours the model is made for

        @pytest.fixture(scope="class")
        @classmethod
        def model(cls):
            return MyPotential(...)  # a Potential, or a list of them for a committee

Every test then runs on it: forces and stress against finite differences, rotation,
reflection, translation and permutation, supercells, explicit images against periodic cells
(cells shorter than the cutoff, triclinic, slab, molecule, a lone atom in its own images),
smoothness at the cutoff, isolated atoms, and for single models the training path against
the calculator, a batch against each structure alone, float32 against float64 and the model
file round trip.
"""

from __future__ import annotations

import pytest

from mlpot.calculators import MlpotCalculator
from mlpot.models.potential import Potential
from mlpot.testing import checks
from mlpot.testing.structures import PERIODIC, STRUCTURES, dimer, own_images


class PotentialPhysicsTests:
    spacing: float = 2.52  # Å, nearest-neighbour distance of the test structures
    atol: float = 1e-10  # eV, eV/Å, eV/Å^3: symmetries, supercells, training path, batches
    fd_rtol: float = 1e-6  # finite differences, relative to the largest component
    smooth: bool = True  # energy and forces continuous at the cutoff
    float32: bool = True  # the model can be converted to float32
    like_pairs: bool = True  # atoms of one element interact (a lone atom with its images)

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        raise NotImplementedError("a family's test class provides the `model` fixture")

    @pytest.fixture(scope="class")
    @classmethod
    def calculator(cls, model):
        return lambda: MlpotCalculator(model)

    @pytest.fixture(scope="class")
    @classmethod
    def members(cls, model) -> list[Potential]:
        return list(model) if isinstance(model, (list, tuple)) else [model]

    @pytest.fixture(scope="class")
    @classmethod
    def elements(cls, members) -> tuple[str, ...]:
        return members[0].elements

    def structure(self, name, elements):
        return STRUCTURES[name](elements, self.spacing)

    @pytest.mark.parametrize("name", STRUCTURES)
    def test_forces_are_minus_the_energy_gradient(self, calculator, elements, name):
        checks.forces_match_finite_differences(
            calculator, self.structure(name, elements), self.fd_rtol
        )

    @pytest.mark.parametrize("name", [*PERIODIC, "own_images"])
    def test_stress_is_the_strain_derivative(self, calculator, elements, name):
        if name == "own_images" and not self.like_pairs:
            pytest.skip("atoms of one element do not interact in this model")
        atoms = own_images(elements, self.spacing) if name == "own_images" else None
        atoms = atoms or self.structure(name, elements)
        checks.stress_matches_finite_differences(calculator, atoms, self.fd_rtol)

    @pytest.mark.parametrize("name", STRUCTURES)
    def test_rotation_and_reflection(self, calculator, elements, name):
        checks.invariant_under_rotation(calculator, self.structure(name, elements), self.atol)

    @pytest.mark.parametrize("name", STRUCTURES)
    def test_translation(self, calculator, elements, name):
        checks.invariant_under_translation(calculator, self.structure(name, elements), self.atol)

    @pytest.mark.parametrize("name", STRUCTURES)
    def test_permutation(self, calculator, elements, name):
        checks.invariant_under_permutation(calculator, self.structure(name, elements), self.atol)

    @pytest.mark.parametrize(
        "name, repeat", [("bulk", (2, 2, 2)), ("triclinic", (2, 2, 2)), ("slab", (2, 2, 1))]
    )
    def test_supercell(self, calculator, elements, name, repeat):
        atoms = self.structure(name, elements)
        checks.extensive_over_supercells(calculator, atoms, repeat, self.atol)

    @pytest.mark.parametrize("name", PERIODIC)
    def test_explicit_images_equal_the_periodic_cell(self, calculator, members, name):
        atoms = self.structure(name, members[0].elements)
        reach = max(m.receptive_field for m in members)
        checks.explicit_images_equal_periodic(calculator, atoms, reach, self.atol)

    def test_smooth_at_the_cutoff(self, calculator, members):
        if not self.smooth:
            pytest.skip("this model's cutoff is not smooth by design")
        elements = members[0].elements
        for cutoff in sorted({m.cutoff for m in members}):
            checks.smooth_at_cutoff(calculator, lambda d: dimer(elements, d), cutoff)

    def test_isolated_atoms(self, calculator, elements):
        checks.isolated_atoms_feel_no_force(calculator, elements)

    def test_training_path_equals_the_calculator(self, members, elements):
        for member in members:
            for name in STRUCTURES:
                atoms = self.structure(name, elements)
                checks.training_path_equals_calculator(member, atoms, self.atol)

    def test_batch_equals_each_structure_alone(self, members, elements):
        structures = [self.structure(name, elements) for name in STRUCTURES]
        for member in members:
            checks.batch_equals_single(member, structures, self.atol)

    def test_float32_agrees_with_float64(self, members, elements):
        if not self.float32:
            pytest.skip("this model has no float32 form")
        structures = [self.structure(name, elements) for name in PERIODIC]
        for member in members:
            checks.float32_close_to_float64(member, structures)

    def test_model_file_round_trip(self, members, elements):
        structures = [self.structure(name, elements) for name in PERIODIC]
        for member in members:
            checks.save_load_round_trip(member, structures)
