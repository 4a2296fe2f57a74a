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

from mlpot.training.dataset import Batch
from mlpot.training.predict import BatchPrediction


@dataclass(frozen=True)
class LossCoefficients:
    energy: float = 1.0
    forces: float = 1.0
    stress: float = 0.0
    atomic_energy: float = 0.0
    huber_energy: float = 0.0  # Huber widths in eV/atom, eV/Å, GPa; 0: squared errors
    huber_forces: float = 0.0
    huber_stress: float = 0.0


def batch_loss(
    pred: BatchPrediction, batch: Batch, coefficients: LossCoefficients
) -> torch.Tensor:
    w = batch.weight
    loss = pred.energy.new_zeros(())
    if coefficients.energy:
        err = (pred.energy - batch.energy) / batch.n_atoms
        err2 = _squared(err, coefficients.huber_energy)
        loss = loss + coefficients.energy * _weighted_mean(err2, w)
    if coefficients.forces and pred.forces is not None and batch.force_mask.any():
        err2 = _squared(pred.forces - batch.forces, coefficients.huber_forces).mean(1)
        atom_w = w[batch.atom_structure] * batch.force_mask * batch.force_weight
        loss = loss + coefficients.forces * _weighted_mean(err2, atom_w)
    if coefficients.stress and pred.stress is not None and batch.stress_mask.any():
        err2 = _squared((pred.stress - batch.stress) / GPa, coefficients.huber_stress).mean(1)
        loss = loss + coefficients.stress * _weighted_mean(err2, w * batch.stress_mask)
    atomic = pred.atomic_energies
    if coefficients.atomic_energy and atomic is not None and batch.atomic_energy_mask.any():
        err2 = (atomic - batch.atomic_energies) ** 2
        atom_w = w[batch.atom_structure] * batch.atomic_energy_mask
        loss = loss + coefficients.atomic_energy * _weighted_mean(err2, atom_w)
    return loss


def _weighted_mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    total = weights.sum()
    return (values * weights).sum() / total if total > 0 else values.sum() * 0


def _squared(err: torch.Tensor, huber: float) -> torch.Tensor:
    """err^2, or its Huber form of width `huber` (> 0): linear beyond |err| = huber
    (twice torch's huber_loss, which is err^2 / 2 inside the width)."""
    if not huber:
        return err**2
    zero = torch.zeros_like(err)
    return 2.0 * torch.nn.functional.huber_loss(err, zero, reduction="none", delta=huber)
