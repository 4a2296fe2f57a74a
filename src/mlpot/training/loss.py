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

from dataclasses import dataclass

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
    given = loss.final.model_dump(include={"energy", "forces", "stress"}, exclude_none=True)
    return loss.model_copy(update={**given, "final": None}), round(loss.final.start * epochs) + 1


def batch_loss(pred: Prediction, batch: Batch, coefficients: LossWeights) -> torch.Tensor:
    w = batch.weight
    loss = pred.energy.new_zeros(())
    for term in _terms(pred, batch, coefficients):
        weights = w if term.atom_weights is None else w[batch.atom_structure] * term.atom_weights
        if term.structure_mask is not None:
            weights = weights * term.structure_mask
        loss = loss + term.coefficient * _weighted_mean(term.squared, weights)
    return loss


def structure_losses(pred: Prediction, batch: Batch, coefficients: LossWeights) -> torch.Tensor:
    """(S,) each structure's share of the loss: its weight times its energy and stress terms
    and the mean of its atoms' force (and atomic-energy) terms, divided by the batch's mean
    weight; their mean is about batch_loss (which weighs forces by atoms, not structures)."""
    w = batch.weight / batch.weight.mean()
    terms = pred.energy.new_zeros(len(w))
    for term in _terms(pred, batch, coefficients):
        values = term.squared
        if term.atom_weights is not None:
            values = _per_structure_mean(values, term.atom_weights, batch)
        elif term.structure_mask is not None:
            values = values * term.structure_mask
        terms = terms + term.coefficient * values
    return w * terms


@dataclass(frozen=True)
class _Term:
    """One loss term: coefficient x squared errors, per structure (S,) or per atom (A,) with
    the atoms' own weights; structure_mask (S,) marks the structures that have the label."""

    coefficient: float
    squared: torch.Tensor
    atom_weights: torch.Tensor | None = None
    structure_mask: torch.Tensor | None = None


def _terms(pred: Prediction, batch: Batch, coefficients: LossWeights) -> list[_Term]:
    """The loss terms with a positive coefficient and labels in the batch."""
    huber = coefficients.huber
    terms = []
    if coefficients.energy:
        err = (pred.energy - batch.energy) / batch.n_atoms
        terms.append(_Term(coefficients.energy, _squared(err, huber.energy if huber else None)))
    if coefficients.forces and pred.forces is not None and batch.force_mask.any():
        err2 = _squared(pred.forces - batch.forces, huber.forces if huber else None).mean(1)
        terms.append(_Term(coefficients.forces, err2, batch.force_mask * batch.force_weight))
    if coefficients.stress and pred.stress is not None and batch.stress_mask.any():
        err = (pred.stress - batch.stress) / GPa
        err2 = _squared(err, huber.stress if huber else None).mean(1)
        terms.append(_Term(coefficients.stress, err2, structure_mask=batch.stress_mask))
    atomic = pred.atomic_energies
    if coefficients.atomic_energy and atomic is not None and batch.atomic_energy_mask.any():
        err2 = (atomic - batch.atomic_energies) ** 2
        terms.append(_Term(coefficients.atomic_energy, err2, batch.atomic_energy_mask))
    return terms


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
