"""The fused kernel (descriptors, networks and chain rule per atom) against torch, its fallback
to the two-pass path, and the arithmetic it relies on.

The torch module is the one definition of the networks; the kernel's float64 copy must give the
same atomic energies and forces to 1e-12 for every activation, every layer layout and elements
with different numbers of functions.
"""

import math

import numba
import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, make_model, make_sfset, molecule, slab, triclinic
from torch import nn

from mlpot.descriptors import kernels
from mlpot.descriptors.acsf import ACSF
from mlpot.models.activations import ACTIVATIONS
from mlpot.models.evaluate import DescriptorEvaluator, inference_networks
from mlpot.models.forces import forces_from_pair_gradients
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs

STRUCTURES = {"bulk": bulk_alni, "triclinic": triclinic, "slab": slab, "molecule": molecule}


def _model(networks: dict[str, NetworkSpec], seed: int = 3) -> NeuralNetworkPotential:
    """Random weights, the fitted scalers and reference energies of the shared Al-Ni model."""
    fitted = make_model()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NeuralNetworkPotential(fitted.sfset, networks)
    kept = {k: v for k, v in fitted.state_dict().items() if not k.startswith("networks.")}
    model.load_state_dict(kept, strict=False)
    return model


def _torch_energies_and_forces(model, acsf, species, pairs):
    """Atomic energies and forces with dE/dG from torch's autograd (the two-pass path)."""
    descriptors, workspace = acsf.compute(species, pairs)
    g = torch.from_numpy(descriptors).requires_grad_(True)
    energies = model.descriptor_energies(g, torch.from_numpy(species))
    (dedg,) = torch.autograd.grad(energies.sum(), g)
    pair_grad = acsf.pair_gradients(species, pairs, dedg.numpy(), workspace)
    forces = forces_from_pair_gradients(
        torch.from_numpy(pair_grad),
        torch.from_numpy(pairs.first),
        torch.from_numpy(pairs.second),
        len(species),
    )
    return energies.detach().numpy(), forces.numpy()


def _fused_energies_and_forces(model, acsf, species, pairs):
    networks = inference_networks(model)
    assert networks is not None
    energies, pair_grad = acsf.energies_and_pair_gradients(species, pairs, networks)
    forces = forces_from_pair_gradients(
        torch.from_numpy(pair_grad),
        torch.from_numpy(pairs.first),
        torch.from_numpy(pairs.second),
        len(species),
    )
    return energies, forces.numpy()


def _assert_fused_equals_torch(model, skin: float = 0.0):
    acsf = ACSF(model.sfset)
    for make in STRUCTURES.values():
        atoms = make()
        species = acsf.species(atoms.numbers)
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff + skin)
        e_torch, f_torch = _torch_energies_and_forces(model, acsf, species, pairs)
        e_fused, f_fused = _fused_energies_and_forces(model, acsf, species, pairs)
        assert np.abs(f_torch).max() > 1e-3  # the forces are not trivially zero
        np.testing.assert_allclose(e_fused, e_torch, rtol=0, atol=1e-12)
        np.testing.assert_allclose(f_fused, f_torch, rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_fused_equals_torch_for_each_activation(activation):
    other = "silu" if activation == "tanh" else "tanh"  # per-element activations differ
    model = _model({"Al": NetworkSpec((8, 6), activation), "Ni": NetworkSpec((7,), other)})
    _assert_fused_equals_torch(model)


@pytest.mark.parametrize("hidden", [(), (5,), (9, 4, 6)], ids=["none", "one", "three"])
def test_fused_equals_torch_for_each_depth(hidden):
    model = _model({"Al": NetworkSpec(hidden, "softplus"), "Ni": NetworkSpec((3, 3), "tanh")})
    _assert_fused_equals_torch(model)


def test_pairs_beyond_the_cutoff_change_nothing():
    """A list built with a skin (as in MD) gives the same energies and forces."""
    _assert_fused_equals_torch(make_model(), skin=1.3)


def test_calculator_path_uses_the_fused_kernel_and_agrees(alni_model):
    atoms = triclinic()
    acsf = ACSF(alni_model.sfset)
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    result = _calculator_path(alni_model, atoms)
    energies, forces = _torch_energies_and_forces(alni_model, acsf, species, pairs)
    assert inference_networks(alni_model) is not None
    np.testing.assert_allclose(result.energies[0], energies, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.forces[0], forces, rtol=0, atol=1e-12)


def _calculator_path(model, atoms):
    """The calculators' evaluation of one model (energies (1, N), forces (1, N, 3))."""
    return DescriptorEvaluator([model], skin=0.0)(atoms, {"forces"})


class _Cube(nn.Module):
    def forward(self, x):
        return x**3


def _unsupported_models():
    model = _model({"Al": NetworkSpec((4,), "tanh"), "Ni": NetworkSpec((4,), "tanh")})
    custom = _model({"Al": NetworkSpec((4,), "tanh"), "Ni": NetworkSpec((4,), "tanh")})
    custom.networks["Ni"][1] = _Cube()
    beta = _model({"Al": NetworkSpec((4,), "softplus"), "Ni": NetworkSpec((4,), "tanh")})
    beta.networks["Al"][1] = nn.Softplus(beta=2.0)
    return {"float32": model.to(torch.float32), "custom-activation": custom, "softplus-beta": beta}


@pytest.mark.parametrize("name", ["float32", "custom-activation", "softplus-beta"])
def test_unsupported_networks_take_the_two_pass_path(name):
    model = _unsupported_models()[name]
    assert inference_networks(model) is None
    acsf = ACSF(model.sfset)
    atoms = bulk_alni()
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    result = _calculator_path(model, atoms)
    if model.dtype == torch.float64:
        energies, forces = _torch_energies_and_forces(model, acsf, species, pairs)
        np.testing.assert_allclose(result.energies[0], energies, rtol=0, atol=1e-12)
        np.testing.assert_allclose(result.forces[0], forces, rtol=0, atol=1e-12)
    assert np.isfinite(result.forces[0]).all()


def test_results_do_not_depend_on_the_number_of_threads(alni_model):
    acsf = ACSF(alni_model.sfset)
    atoms = bulk_alni().repeat((3, 3, 3))
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)
    networks = inference_networks(alni_model)
    threads = numba.get_num_threads()
    try:
        results = []
        for n in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(n)
            results.append(acsf.energies_and_pair_gradients(species, pairs, networks))
    finally:
        numba.set_num_threads(threads)
    for energies, pair_grad in results[1:]:
        np.testing.assert_array_equal(energies, results[0][0])
        np.testing.assert_array_equal(pair_grad, results[0][1])


def test_compute_with_derivatives_agrees_with_pair_gradients():
    acsf = ACSF(make_sfset())
    atoms = triclinic()
    species = acsf.species(atoms.numbers)
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff + 0.5)
    descriptors, derivatives = acsf.compute_with_derivatives(species, pairs)
    dedg = np.random.default_rng(4).normal(size=descriptors.shape)
    expected = acsf.pair_gradients(species, pairs, dedg, acsf.compute(species, pairs)[1])
    actual = np.einsum("pfx,pf->px", derivatives, dedg[pairs.first])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    np.testing.assert_allclose(descriptors, acsf.compute(species, pairs)[0], rtol=0, atol=0)


def test_polynomial_exp_matches_libm():
    x = np.concatenate([np.linspace(-50.0, 5.0, 20001), [0.0, -1e-300, 1e-300]])
    ours = np.array([kernels._exp(v) for v in x])
    np.testing.assert_allclose(ours, np.exp(x), rtol=2e-15, atol=0)
    assert kernels._exp(-1000.0) < 1e-300


def test_polynomial_cos_matches_libm():
    for x in np.linspace(0.0, 1.0, 2001):
        cos, sin = kernels._cos_pi(x)
        assert abs(cos - math.cos(math.pi * x)) < 1e-15
        assert abs(sin - math.sin(math.pi * x)) < 1e-15
