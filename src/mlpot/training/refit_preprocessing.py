"""Continued training on new data: preprocessing refitted to that data, the function kept.

A model fitted on a narrow set (the first structures of an active-learning run) scales its
descriptors to that set's range; structures added later can lie tens of widths outside it,
which saturates the networks' first layer and stalls training. Before continuing, the scalers,
reference energies and energy scale are fitted again to the new training set, and the first
and last layer of every network absorb the change, so that every atomic energy (and hence every
force and stress) is what it was:

    first layer:  x_old = x_new @ M + d  with  M = A_new^-1 A_old,  d = c_old - c_new @ M
                  (x = G @ A + c, `DescriptorScaler.affine`), so W' = W M^T, b' = b + W d;
    last layer:   s_old (W h + b) + ref_old = s_new (W' h + b') + ref_new;
    a multi-fidelity model keeps its per-fidelity shifts (each fidelity's reference minus
    the target's), so every fidelity's energies are kept.

With neighbour messages, the message embeddings absorb the change like the first layers (which
fold it into their descriptor columns only), and the messages keep their normalisation.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

from mlpot.models.nnp import NeuralNetworkPotential


@contextmanager
def function_kept(model: NeuralNetworkPotential):
    """Around a refit of the preprocessing (fit_preprocessing on the new training set): the
    networks change so that the model computes the same energies as before; the descriptor
    range widens to the new set."""
    with torch.no_grad():
        affine = {
            e: [t.to(torch.float64) for t in model.scalers[e].affine()] for e in model.elements
        }
        ranges = model.descriptor_ranges
        known = {e: (r.low.clone(), r.high.clone()) for e, r in ranges.items() if r.known}
        old_scale = float(model.energy_scale)
        old_refs = model.reference_energies.to(torch.float64).clone()
        interaction = model.interaction
        neighbours = None if interaction is None else interaction.neighbours.clone()
        multi = model.fidelities is not None
        fidelity_shifts = model.fidelity_shifts.clone() if multi else None
    yield
    with torch.no_grad():
        new_scale = float(model.energy_scale)
        if multi:  # the last layers absorb the target's change; the other fidelities keep
            model.fidelity_shifts.copy_(fidelity_shifts)  # their distance to it
        if interaction is not None:
            interaction.neighbours.copy_(neighbours)
        for e, element in enumerate(model.elements):
            if element in known:  # the range seen before, and the new set's
                ranges[element].widen(*known[element])
            network = model.networks[element]
            change = (*affine[element], *model.scalers[element].affine())
            _fold_input_change(network[0], *change)
            if interaction is not None:
                _fold_input_change(interaction.embeddings[element], *change)
            shift = float(old_refs[e] - model.reference_energies[e])
            _fold_output_change(network[-1], old_scale, new_scale, shift)


def _fold_input_change(first, a_old, c_old, a_new, c_new) -> None:
    """first(x_old) == first'(x_new) for the same descriptors G (the layer's first columns;
    any further columns, messages, are left as they are)."""
    a_new, c_new = a_new.to(torch.float64), c_new.to(torch.float64)
    m = torch.linalg.solve(a_new, a_old)
    d = c_old - c_new @ m
    n = len(d)
    w = first.weight[:, :n].to(torch.float64)
    first.bias.copy_(first.bias.to(torch.float64) + w @ d)
    first.weight[:, :n] = w @ m.T


def _fold_output_change(last, old_scale: float, new_scale: float, reference_shift: float):
    """old_scale * last(h) + reference_shift == new_scale * last'(h)."""
    last.bias.copy_((old_scale * last.bias.to(torch.float64) + reference_shift) / new_scale)
    last.weight.mul_(old_scale / new_scale)
