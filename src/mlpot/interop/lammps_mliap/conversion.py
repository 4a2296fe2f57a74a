"""mlpot networks <-> ML-IAP nn networks, exactly (up to float64 rounding).

To ML-IAP: a scaler without PCA becomes scale0 = shift, scale1 = scale; any other affine
preprocessing x = G A + c is folded into the first layer (W' = W A^T, b' = b + W c, with
scale0 = 0, scale1 = 1). The energy scale and reference energy fold into the output layer
(W' = s W, b' = s b + E_ref), since ML-IAP's atomic energy is the network output itself.
From ML-IAP: scale0/scale1 become the scaler; energy scale 1 and reference energies 0.
"""

from __future__ import annotations

import torch
from torch import nn

from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.errors import MlpotError
from mlpot.interop.lammps_mliap.model_file import ACTIVATIONS, ElementNetwork, NNModelFile
from mlpot.models.activations import ACTIVATIONS as TORCH_ACTIVATIONS
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.models.snap import SnapNetworkPotential

_NAMES = {TORCH_ACTIVATIONS[name]: name for name in ACTIVATIONS}


def to_mliap(model: NeuralNetworkPotential) -> NNModelFile:
    """The ML-IAP form of a model on SNAP descriptors (MlpotError where ML-IAP cannot hold it)."""
    if model.family != "snap":
        raise MlpotError(
            "ML-IAP export needs a model on SNAP bispectrum descriptors "
            "(mlpot.descriptors.lammps.SnapSettings); symmetry-function models go to LAMMPS "
            "through the n2p2 format"
        )
    if model.sfset.chemflag:
        raise MlpotError(
            "chemflag 1 models are not exported: LAMMPS (2025.7.22) pair_style mliap with "
            "descriptor sna chemflag 1 returns forces that are not the gradient of its own "
            "energy (see docs/lammps.md); train with chemflag 0"
        )
    architectures, networks = set(), []
    with torch.no_grad():
        for e, element in enumerate(model.elements):
            linears, activations = _dense_layers(model.networks[element], element)
            architectures.add((tuple(lin.out_features for lin in linears), activations))
            networks.append(_element_network(model, e, linears))
    if len(architectures) != 1:
        raise MlpotError(
            "ML-IAP nn needs the same layer sizes and activations for every element; "
            f"this model has {sorted(architectures)}"
        )
    return NNModelFile(architectures.pop()[1], networks)


def _dense_layers(network: nn.Module, element: str) -> tuple[list[nn.Linear], tuple[str, ...]]:
    """Linear layers and the activation after each (the output's is "linear")."""
    modules = list(network.children())
    linears, acts = modules[::2], modules[1::2]
    names = tuple(_NAMES.get(type(m)) for m in acts) + ("linear",)
    shape_ok = len(linears) == len(acts) + 1 and all(type(m) is nn.Linear for m in linears)
    if not shape_ok or None in names:
        raise MlpotError(
            f"the {element} network is not dense layers with activations "
            f"{', '.join(ACTIVATIONS)} (the ones ML-IAP nn evaluates)"
        )
    return linears, names


def _element_network(model: NeuralNetworkPotential, e: int, linears) -> ElementNetwork:
    scaler = model.scalers[model.elements[e]]
    layers = [(lin.weight.double().clone(), lin.bias.double().clone()) for lin in linears]
    n = scaler.shift.numel()
    identity = torch.eye(n, dtype=scaler.pca_rotation.dtype)
    plain = bool((scaler.pca_mean == 0).all()) and torch.equal(scaler.pca_rotation, identity)
    if plain:
        scale0, scale1 = scaler.shift.double(), scaler.scale.double()
    else:
        a, c = (x.double() for x in scaler.affine())
        w0, b0 = layers[0]
        layers[0] = (w0 @ a.T, b0 + w0 @ c)
        scale0, scale1 = torch.zeros(n, dtype=torch.float64), torch.ones(n, dtype=torch.float64)
    w, b = layers[-1]
    s = model.energy_scale.double()
    layers[-1] = (s * w, s * b + model.reference_energies[e].double())
    return ElementNetwork(
        scale0.numpy(), scale1.numpy(), [(w.numpy(), b.numpy()) for w, b in layers]
    )


def from_mliap(
    file: NNModelFile, settings: SnapSettings, dtype: torch.dtype = torch.float64
) -> SnapNetworkPotential:
    """The mlpot model of an ML-IAP nn file and its descriptor settings."""
    if len(file.networks) != len(settings.elements):
        raise MlpotError(
            f"the model file has {len(file.networks)} element(s), the descriptor "
            f"file {len(settings.elements)} ({' '.join(settings.elements)})"
        )
    if file.n_descriptors != settings.max_features:
        raise MlpotError(
            f"the model file expects {file.n_descriptors} descriptors, the "
            f"descriptor file gives {settings.max_features}"
        )
    if any((network.scale1 == 0).any() for network in file.networks):
        raise MlpotError("the model file divides by a zero scale1 value; fix the file")
    hidden = file.activations[:-1]
    spec = NetworkSpec(file.nodes[:-1], hidden[0] if len(set(hidden)) == 1 else hidden or "linear")
    output = file.activations[-1]
    if output != "linear":
        raise MlpotError(f"output layer activation {output!r}: mlpot networks end linearly")
    model = SnapNetworkPotential(settings, {e: spec for e in settings.elements}, dtype)
    with torch.no_grad():
        for element, network in zip(settings.elements, file.networks, strict=True):
            model.scalers[element].shift.copy_(torch.from_numpy(network.scale0))
            model.scalers[element].scale.copy_(torch.from_numpy(network.scale1))
            linears = model.networks[element][::2]
            for lin, (w, b) in zip(linears, network.layers, strict=True):
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
    return model
