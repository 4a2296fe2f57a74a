"""The descriptor networks' calculator path: energies, forces and stress of one structure.

With forces, the networks run inside the descriptor kernel (one pass per atom) on a float64
copy of their numbers (`inference_networks`); a model that copy cannot represent (another
dtype, a layer or activation it does not know, neighbour messages) takes the two-pass path
through torch: descriptors, torch's dE/dG, then the pair gradients. Forces and virials come
from the pair gradients as in mlpot.models.predict (mlpot.models.pair_sums is the NumPy twin
of mlpot.models.forces, tested equal).
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Sequence

import numpy as np
import torch
from ase import Atoms
from torch import nn

from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.network_tables import ACTIVATION_CODES, NetworkTables, network_tables
from mlpot.models.activations import ACTIVATIONS
from mlpot.models.evaluator import Evaluation, Evaluator, members, stress_of
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.models.pair_sums import forces_from_pair_gradients, virial_from_pair_gradients
from mlpot.models.potential import EXTRAPOLATION
from mlpot.models.predict import DERIVED
from mlpot.neighbours.pairs import Pairs
from mlpot.uncertainty.extrapolation import count_extrapolations, union_range

_ACTIVATION_NAMES = {cls: name for name, cls in ACTIVATIONS.items()}


class DescriptorEvaluator(Evaluator):
    """Committees of NeuralNetworkPotentials sharing one symmetry-function set: the neighbour
    list and (where needed) the descriptors of a structure are computed once, then each
    member runs its networks, fused into the descriptor kernel where it can."""

    def __init__(self, models: Sequence[NeuralNetworkPotential], skin: float):
        super().__init__(models, skin)
        self.engine = models[0].descriptor_engine
        self.ranges = None
        if all(EXTRAPOLATION in model.capabilities for model in models):
            self.ranges = {
                e: union_range([m.descriptor_ranges[e] for m in models]) for e in models[0].elements
            }

    def evaluate(self, atoms: Atoms, pairs: Pairs, outputs: Collection[str]) -> Evaluation:
        species = self.engine.species(atoms.numbers)
        derived = bool(DERIVED & set(outputs))
        tables = [cached_inference_networks(m) if derived else None for m in self.models]
        computed = None
        if "extrapolation" in outputs or any(t is None for t in tables):
            computed = self.engine.compute(species, pairs)
        energies, forces, virials = [], [], []
        for model, networks in zip(self.models, tables, strict=True):
            if networks is not None:
                e, pair_grad = self.engine.energies_and_pair_gradients(species, pairs, networks)
            elif derived:
                e, pair_grad = torch_energies_and_pair_gradients(
                    model, self.engine, species, pairs, computed
                )
            else:
                e = torch_energies(model, species, pairs, computed[0])
            energies.append(e)
            if derived:
                n = len(species)
                forces.append(forces_from_pair_gradients(pair_grad, pairs.first, pairs.second, n))
                if "stress" in outputs:
                    virials.append(virial_from_pair_gradients(pair_grad, pairs.vectors))
        extrapolation = None
        if "extrapolation" in outputs and self.ranges is not None:
            elements = self.models[0].elements
            extrapolation = count_extrapolations(self.ranges, elements, computed[0], species)
        return Evaluation(
            members(energies),
            members(forces) if forces else None,
            stress_of(members(virials), atoms) if virials else None,
            extrapolation,
        )


def torch_energies(
    model: NeuralNetworkPotential, species: np.ndarray, pairs: Pairs, descriptors: np.ndarray
) -> np.ndarray:
    """Atomic energies (N,) through torch from the descriptors (N, F) of these pairs."""
    with torch.no_grad():
        return _energies(model, species, pairs, descriptors, False)[0].double().numpy()


def torch_energies_and_pair_gradients(
    model: NeuralNetworkPotential,
    acsf: ACSF,
    species: np.ndarray,
    pairs: Pairs,
    computed: tuple[np.ndarray, object],
) -> tuple[np.ndarray, np.ndarray]:
    """Atomic energies (N,) and dE/dr_ij (P, 3) through torch, from the (descriptors,
    workspace) that acsf.compute gave for these pairs (without storing the descriptors'
    derivatives: they are summed with dE/dG by the kernel)."""
    descriptors, workspace = computed
    with torch.enable_grad():
        energies, g, messages = _energies(model, species, pairs, descriptors, True)
        inputs = (g,) if messages is None else (g, messages.basis)
        grads = torch.autograd.grad(energies.sum(), inputs)
    pair_grad = acsf.pair_gradients(species, pairs, grads[0].double().numpy(), workspace)
    if messages is not None:  # the messages' own dependence on r_p
        pair_grad = pair_grad + messages.pair_gradients(grads[1], len(pair_grad)).double().numpy()
    return energies.detach().double().numpy(), pair_grad


def _energies(model, species, pairs, descriptors, requires_grad: bool):
    """(atomic energies, descriptors tensor, message pairs or None), the inputs requiring
    grad as asked."""
    g = torch.from_numpy(descriptors).to(model.dtype).requires_grad_(requires_grad)
    messages = None
    if model.interaction is not None:
        first, second = torch.from_numpy(pairs.first), torch.from_numpy(pairs.second)
        vectors = torch.from_numpy(pairs.vectors)
        messages = model.interaction.message_pairs(first, second, vectors, requires_grad)
    return model.descriptor_energies(g, torch.from_numpy(species), messages), g, messages


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached_inference_networks(model: NeuralNetworkPotential) -> NetworkTables | None:
    """`inference_networks(model)`, rebuilt only when a parameter or buffer of the model has
    changed (torch counts in-place changes in each tensor's version)."""
    key = tuple((t.data_ptr(), t._version) for t in (*model.parameters(), *model.buffers()))
    cached = _CACHE.get(model)
    if cached is None or cached[0] != key:
        cached = (key, inference_networks(model))
        _CACHE[model] = cached
    return cached[1]


def inference_networks(model: NeuralNetworkPotential) -> NetworkTables | None:
    """The model's networks as float64 tables for the fused kernel, or None where they hold
    anything the kernel does not evaluate exactly like torch (then use the two-pass path).

    Preprocessing (an affine map) folds into the first layer, the energy scale and the
    reference energy into the last: E_i = network_e(G_i) directly.
    """
    if model.dtype != torch.float64 or model.interaction is not None:
        return None
    layers, activations = [], []
    with torch.no_grad():
        for e, element in enumerate(model.elements):
            stack = _dense_stack(model.networks[element])
            if stack is None:
                return None
            layers.append(_folded_layers(model, e, stack[0]))
            activations.append(stack[1])
    return network_tables(layers, activations)


def _folded_layers(model: NeuralNetworkPotential, e: int, linears: list[nn.Linear]) -> list:
    a, c = model.scalers[model.elements[e]].affine()
    weights = [(lin.weight.T, lin.bias) for lin in linears]
    w0, b0 = weights[0]
    weights[0] = (a @ w0, c @ w0 + b0)
    w1, b1 = weights[-1]
    scale = model.energy_scale
    weights[-1] = (scale * w1, scale * b1 + model.reference_energies[e])
    return [(w.numpy(), b.numpy()) for w, b in weights]


def _dense_stack(network: nn.Module) -> tuple[list[nn.Linear], str] | None:
    """(linear layers, activation name) of Linear, act, ..., act, Linear(n, 1); else None."""
    modules = list(network.children()) if isinstance(network, nn.Sequential) else []
    linears, acts = modules[::2], modules[1::2]
    if not modules or len(linears) != len(acts) + 1:
        return None
    if not all(type(m) is nn.Linear and m.bias is not None for m in linears):
        return None
    if linears[-1].out_features != 1:
        return None
    names = {_ACTIVATION_NAMES.get(type(m)) for m in acts} or {"linear"}
    if len(names) != 1 or None in names or not names <= ACTIVATION_CODES.keys():
        return None
    if any(isinstance(m, nn.Softplus) and (m.beta != 1 or m.threshold != 20) for m in acts):
        return None
    return linears, names.pop()
