"""The training path (prepared frames with per-pair descriptor derivatives, collated batches,
predict_batch) gives the calculator's energies, forces and stress, and a batch of several
structures gives each structure's own result."""

import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, calculator, molecule, slab, to_frame, triclinic

from mlpot.models.predict import predict
from mlpot.training.dataset import collate, prepare_frame

STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "slab": slab, "molecule": molecule}


def _prepared(model, atoms):
    return prepare_frame(to_frame(atoms), model, model.dtype, group=0)


def _predict(model, atoms_list):
    batch = collate([_prepared(model, atoms) for atoms in atoms_list])
    pred = predict(model, batch.inputs, {"forces", "stress"})
    return batch, pred


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_single_structure_matches_calculator(any_model, make):
    atoms = calculator(any_model, make())
    _, pred = _predict(any_model, [atoms])
    assert pred.energy.item() == pytest.approx(atoms.get_potential_energy(), abs=1e-10)
    np.testing.assert_allclose(pred.forces.numpy(), atoms.get_forces(), rtol=0, atol=1e-10)
    if atoms.pbc.all():
        np.testing.assert_allclose(pred.stress[0].numpy(), atoms.get_stress(), rtol=0, atol=1e-10)
    else:  # no volume, no stress
        assert not pred.stress.any()


def test_batch_equals_each_structure_alone(any_model):
    structures = [make() for make in STRUCTURES.values()]
    batch, pred = _predict(any_model, structures)
    for s, atoms in enumerate(structures):
        _, alone = _predict(any_model, [atoms])
        mine = batch.atom_structure == s
        assert pred.energy[s].item() == pytest.approx(alone.energy.item(), abs=1e-10)
        torch.testing.assert_close(pred.forces[mine], alone.forces, rtol=0, atol=1e-10)
        torch.testing.assert_close(pred.stress[s], alone.stress[0], rtol=0, atol=1e-10)


def test_predictions_are_differentiable_in_the_weights(any_model):
    """create_graph=True keeps forces differentiable (what training needs), same values."""
    model = any_model
    atoms = bulk_alni()
    batch = collate([_prepared(model, atoms)])
    pred = predict(model, batch.inputs, {"forces", "stress"}, create_graph=True)
    weight = model.networks["Ni"][0].weight
    (grad,) = torch.autograd.grad(pred.forces.square().sum() + pred.stress.square().sum(), weight)
    assert grad.abs().max() > 0
    _, plain = _predict(model, [atoms])
    torch.testing.assert_close(pred.forces.detach(), plain.forces, rtol=0, atol=1e-12)
