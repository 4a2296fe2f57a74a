"""How `mlpot train` builds and prepares family "nnp": symmetry functions generated for the
data (or given as n2p2 lines), per-element networks, then scaling, PCA and reference
energies fitted on the training set."""

from __future__ import annotations

from contextlib import nullcontext

import torch

from mlpot.config import per_element
from mlpot.config.schema import ModelConfig
from mlpot.data.frame import Frame
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.generator import auto_cutoff, default_symmetry_functions
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.families import BuildContext
from mlpot.models.interaction import InteractionSpec
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.training.dataset import PreparedFrame
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.refit_preprocessing import function_kept


def build_nnp(section: ModelConfig, context: BuildContext) -> NeuralNetworkPotential:
    """A new model: symmetry functions for the context's frames, networks from `seed`."""
    elements = list(context.elements)
    hidden = per_element(section.hidden, elements, "model.hidden")
    act = per_element(section.activation, elements, "model.activation")
    specs = {e: NetworkSpec(tuple(hidden[e]), act[e]) for e in elements}
    sfset = build_symmetry_functions(context.descriptors, elements, context.frames)
    i = section.interaction
    interaction = InteractionSpec(i.features, i.radial, i.cutoff) if i is not None else None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(context.seed)
        return NeuralNetworkPotential(
            sfset, specs, context.dtype, interaction, context.fidelities
        )


def build_symmetry_functions(d, elements: list[str], frames: list[Frame]) -> SymmetryFunctionSet:
    """The set of descriptors config section `d`: its n2p2 lines, or the preset generated for
    the frames (cutoff "auto" from their neighbour distances, r_min from the shortest)."""
    cutoff_function = CutoffFunction(d.cutoff_function, d.cutoff_alpha)
    if d.symmetry_functions is not None:
        return SymmetryFunctionSet.from_n2p2_lines(
            list(d.symmetry_functions), elements, cutoff_function
        )
    cutoff = auto_cutoff(frames, d.auto_neighbours) if d.cutoff == "auto" else d.cutoff
    r_min = 0.9 * shortest_distance(frames, cutoff)
    return default_symmetry_functions(elements, cutoff, cutoff_function, r_min=r_min, recipe=d)


def shortest_distance(frames: list[Frame], cutoff: float) -> float:
    """Shortest interatomic distance in the frames (Å), at most `cutoff`."""
    shortest = cutoff
    for f in frames:
        pairs = neighbour_pairs(f.positions, f.cell, f.pbc, cutoff)
        if len(pairs.distances):
            shortest = min(shortest, float(pairs.distances.min()))
    return shortest


def fit_nnp(
    model: NeuralNetworkPotential,
    section: ModelConfig,
    frames: list[Frame],
    prepared: list[PreparedFrame],
    keep_function: bool,
    seed: int,
) -> None:
    """Scaling, PCA, descriptor ranges, reference energies and energy scale from the training
    set; keep_function: a continued model is refitted with its energies unchanged (nothing is
    random: `seed` is not used)."""
    refs = section.reference_energies
    with function_kept(model) if keep_function else nullcontext():
        fit_preprocessing(
            model, frames, prepared, section.scaling, section.pca,
            None if refs == "fit" else dict(refs), section.pca_epsilon,
        )
