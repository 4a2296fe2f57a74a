"""How `mlpot train` builds and prepares family "equivariant": the config's architecture with
the neighbour sums normalised by the data's mean neighbour count, then reference energies
and an energy scale from the training set."""

from __future__ import annotations

import numpy as np
import torch

from mlpot.config.schema import EquivariantConfig
from mlpot.data.frame import Frame
from mlpot.models.families import BuildContext
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.training.dataset import PreparedFrame
from mlpot.training.reference_energies import fitted_references

NEIGHBOUR_FRAMES = 200  # frames looked at for the mean neighbour count


def build_equivariant(section: EquivariantConfig, context: BuildContext):
    """A new model of the section's architecture, weights from the context's seed."""
    from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings

    settings = EquivariantSettings(
        channels=section.channels, l_max=section.l_max, hidden_l_max=section.hidden_l_max,
        correlation=section.correlation, interactions=section.interactions,
        radial_basis=section.radial_basis, radial_hidden=tuple(section.radial_hidden),
        envelope_p=section.envelope_p, readout_hidden=section.readout_hidden,
        mlp_readouts=section.mlp_readouts,
        average_neighbours=mean_neighbours(context.frames, section.cutoff),
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(context.seed)
        return EquivariantPotential(
            context.elements, section.cutoff, settings, context.dtype, context.fidelities
        )


def mean_neighbours(frames: list[Frame], cutoff: float) -> float:
    """Mean number of neighbours within `cutoff` (Å) per atom, over up to NEIGHBOUR_FRAMES
    frames spread over the list (at least 1)."""
    step = max(len(frames) // NEIGHBOUR_FRAMES, 1)
    pairs = atoms = 0
    for frame in frames[::step]:
        pairs += len(neighbour_pairs(frame.positions, frame.cell, frame.pbc, cutoff).first)
        atoms += len(frame)
    return max(pairs / max(atoms, 1), 1.0)


def fit_equivariant(
    model, section: EquivariantConfig, frames: list[Frame], prepared: list[PreparedFrame],
    keep_function: bool,
    seed: int,
) -> None:
    """Reference energies (least squares, or the section's) and, for all elements, the energy
    scale: the RMS force component of the training set (eV/Å), so that the networks' outputs
    start at the size of the forces. A continued model keeps both (`seed` is not used)."""
    if keep_function:
        return
    given = None if section.reference_energies == "fit" else dict(section.reference_energies)
    values, shifts = fitted_references(frames, list(model.elements), model.fidelities, given)
    forces = [f.forces for f in frames if f.forces is not None]
    scale = float(np.sqrt(np.mean(np.concatenate(forces) ** 2))) if forces else 1.0
    with torch.no_grad():
        model.reference_energies.copy_(torch.tensor(values.tolist()))
        if shifts is not None:
            model.fidelity_shifts.copy_(torch.as_tensor(shifts))
        model.energy_scale.fill_(max(scale, 1e-3))
