"""The training loss: weighted mean squared errors of energy per atom, forces and stress.

    L = c_E <w (dE / N)^2> + c_F <w |dF|^2 / 3> + c_S <w |dsigma|^2 / 6> + c_A <w dE_i^2>

with eV/atom, eV/Å and GPa as the units of the errors, w the structure's training weight
(times the atom's GDF weight for forces), and <.> weighted means over structures (energy,
stress) or atoms (forces, atomic energies). The last term fits per-atom energy targets
E_i (eV), where frames have them (the atomic-energy ensemble); c_A is 0 by default.

With a Huber width d for a term, each error x (energy per atom, force or stress component)
counts x^2 up to |x| = d and 2 d |x| - d^2 beyond: large errors pull linearly, as in an
absolute error, so a few outliers weigh less against the bulk of the data.
"""

from __future__ import annotations

import torch
from ase.units import GPa

from mlpot.config.schema import LossWeights
from mlpot.models.predict import Prediction
from mlpot.training.dataset import Batch


def final_loss(loss: LossWeights, epochs: int) -> tuple[LossWeights | None, int]:
    """(the coefficients of the final stage, its first epoch), or (None, 0) without one: the
    coefficients `loss.final` gives replace theirs from epoch round(start * epochs) + 1."""
    if loss.final is None:
        return None, 0
    given = loss.final.model_dump(exclude={"start"}, exclude_none=True)
    return loss.model_copy(update={**given, "final": None}), round(loss.final.start * epochs) + 1


def batch_loss(pred: Prediction, batch: Batch, coefficients: LossWeights) -> torch.Tensor:
    w = batch.weight
    loss = pred.energy.new_zeros(())
    huber = coefficients.huber
    if coefficients.energy:
        err = (pred.energy - batch.energy) / batch.n_atoms
        err2 = _squared(err, huber.energy if huber else None)
        loss = loss + coefficients.energy * _weighted_mean(err2, w)
    if coefficients.forces and pred.forces is not None and batch.force_mask.any():
        err2 = _squared(pred.forces - batch.forces, huber.forces if huber else None).mean(1)
        atom_w = w[batch.atom_structure] * batch.force_mask * batch.force_weight
        loss = loss + coefficients.forces * _weighted_mean(err2, atom_w)
    if coefficients.stress and pred.stress is not None and batch.stress_mask.any():
        err = (pred.stress - batch.stress) / GPa
        err2 = _squared(err, huber.stress if huber else None).mean(1)
        loss = loss + coefficients.stress * _weighted_mean(err2, w * batch.stress_mask)
    atomic = pred.atomic_energies
    if coefficients.atomic_energy and atomic is not None and batch.atomic_energy_mask.any():
        err2 = (atomic - batch.atomic_energies) ** 2
        atom_w = w[batch.atom_structure] * batch.atomic_energy_mask
        loss = loss + coefficients.atomic_energy * _weighted_mean(err2, atom_w)
    return loss


def structure_losses(pred: Prediction, batch: Batch, coefficients: LossWeights) -> torch.Tensor:
    """(S,) each structure's share of the loss: its weight times its energy and stress terms
    and the mean of its atoms' force (and atomic-energy) terms, divided by the batch's mean
    weight; their mean is about batch_loss (which weighs forces by atoms, not structures)."""
    w = batch.weight / batch.weight.mean()
    huber = coefficients.huber
    terms = pred.energy.new_zeros(len(w))
    if coefficients.energy:
        err = (pred.energy - batch.energy) / batch.n_atoms
        terms = terms + coefficients.energy * _squared(err, huber.energy if huber else None)
    if coefficients.forces and pred.forces is not None:
        err2 = _squared(pred.forces - batch.forces, huber.forces if huber else None).mean(1)
        atom_w = batch.force_mask * batch.force_weight
        terms = terms + coefficients.forces * _per_structure_mean(err2, atom_w, batch)
    if coefficients.stress and pred.stress is not None:
        err = (pred.stress - batch.stress) / GPa
        err2 = _squared(err, huber.stress if huber else None).mean(1)
        terms = terms + coefficients.stress * err2 * batch.stress_mask
    if coefficients.atomic_energy and pred.atomic_energies is not None:
        err2 = (pred.atomic_energies - batch.atomic_energies) ** 2
        terms = terms + coefficients.atomic_energy * _per_structure_mean(
            err2, batch.atomic_energy_mask.to(err2.dtype), batch
        )
    return w * terms


def _per_structure_mean(values: torch.Tensor, weights: torch.Tensor, batch: Batch) -> torch.Tensor:
    """(S,) weighted mean of per-atom values within each structure (0 where no weight)."""
    index, n = batch.atom_structure, len(batch.weight)
    total = values.new_zeros(n).index_add_(0, index, values * weights)
    norm = values.new_zeros(n).index_add_(0, index, weights.to(values.dtype))
    return torch.where(norm > 0, total / norm.clamp_min(1e-300), torch.zeros_like(total))


def _weighted_mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    total = weights.sum()
    return (values * weights).sum() / total if total > 0 else values.sum() * 0


def _squared(err: torch.Tensor, huber: float | None) -> torch.Tensor:
    """err^2, or its Huber form of width `huber` (> 0): linear beyond |err| = huber
    (twice torch's huber_loss, which is err^2 / 2 inside the width)."""
    if not huber:
        return err**2
    zero = torch.zeros_like(err)
    return 2.0 * torch.nn.functional.huber_loss(err, zero, reduction="none", delta=huber)
