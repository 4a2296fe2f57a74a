"""What a model learns from the training set before optimisation: scaling, PCA, references."""

from __future__ import annotations

import torch

from mlpot.data.frame import Frame
from mlpot.models.nnp import DESCRIPTORS, NeuralNetworkPotential
from mlpot.training.dataset import PreparedFrame
from mlpot.training.reference_energies import fitted_references


def fit_preprocessing(
    model: NeuralNetworkPotential,
    frames: list[Frame],
    prepared: list[PreparedFrame],
    scaling: str,
    pca: bool,
    reference_energies: dict[str, float] | None = None,
    pca_epsilon: float = 0.0,
) -> None:
    """Fit descriptor scalers and ranges per element, reference energies, and the output
    energy scale."""
    descriptors = torch.cat([p.features[DESCRIPTORS] for p in prepared])
    species = torch.cat([p.species for p in prepared])
    for e, element in enumerate(model.elements):
        rows = descriptors[species == e, : model.sfset.n_features(element)]
        model.descriptor_ranges[element].fit(rows)  # empty without training atoms
        if len(rows):
            model.scalers[element].fit(rows, scaling, pca, pca_epsilon)
    if model.interaction is not None:
        n_pairs = sum(len(model.interaction.senders(p.inputs.pair_vectors)) for p in prepared)
        model.interaction.neighbours.fill_(max(n_pairs / len(species), 1.0))
    values, shifts = fitted_references(
        frames, list(model.elements), model.fidelities, reference_energies
    )
    values = torch.tensor(values.tolist(), dtype=model.dtype)
    if shifts is None:
        shifts = torch.zeros(1, len(model.elements), dtype=model.dtype)
    else:
        shifts = torch.as_tensor(shifts, dtype=model.dtype)
        model.fidelity_shifts.copy_(shifts)
    model.reference_energies.copy_(values)
    residual = torch.tensor([
        (p.energy - float((values + shifts[p.inputs.fidelity[0]])[p.species].sum())) / p.n_atoms
        for p in prepared
    ])
    spread = float(residual.std()) if len(residual) > 1 else 0.0
    model.energy_scale.fill_(max(spread, 0.01))
