"""The training path keeps forces and stress differentiable in the weights (the training path
against the calculator and batches against single structures: the shipped physics suite,
tests/testing)."""

import torch
from physics_helpers import bulk_alni, molecule, slab, to_frame, triclinic

from mlpot.models.predict import predict
from mlpot.training.dataset import collate, prepare_frame

STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "slab": slab, "molecule": molecule}


def _prepared(model, atoms):
    return prepare_frame(to_frame(atoms), model, model.dtype, group=0)


def _predict(model, atoms_list):
    batch = collate([_prepared(model, atoms) for atoms in atoms_list])
    pred = predict(model, batch.inputs, {"forces", "stress"})
    return batch, pred


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
