"""Errors a user can act on: elements the model does not describe, stress without a cell."""

import pytest
from physics_helpers import calculator, molecule, slab, to_frame

from mlpot.errors import MlpotError
from mlpot.training.dataset import prepare_frame


def _with_copper():
    atoms = molecule()
    atoms.symbols[2] = "Cu"
    return atoms


def test_unknown_element_in_calculator(alni_model):
    atoms = calculator(alni_model, _with_copper())
    with pytest.raises(MlpotError, match=r"Cu.*Al, Ni"):
        atoms.get_potential_energy()


def test_unknown_element_in_training_data(alni_model):
    frame = to_frame(_with_copper(), source="train.xyz:7")
    with pytest.raises(MlpotError, match=r"train\.xyz', frame 7.*Cu"):
        prepare_frame(frame, alni_model, alni_model.dtype, group=0)


def test_stress_needs_full_periodicity(alni_model):
    atoms = calculator(alni_model, slab())
    atoms.get_forces()  # forces are fine without a full cell
    with pytest.raises(MlpotError, match="periodic"):
        atoms.get_stress()
