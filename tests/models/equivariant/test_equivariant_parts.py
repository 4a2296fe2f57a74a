"""Parts of the equivariant family: l > 0 features rotate as their irreps, the two density
implementations agree, the radial envelope, settings checks, spec and TorchScript round trips,
and the parameter gradients of a force loss (training)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch

pytest.importorskip("e3nn")

from e3nn import o3  # noqa: E402
from e3nn.util import jit  # noqa: E402
from helpers import SETTINGS, energy_and_forces, make_model, pair_inputs  # noqa: E402
from physics_helpers import bulk_alni, molecule, random_rotation, triclinic  # noqa: E402

from mlpot.errors import MlpotError  # noqa: E402
from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings  # noqa: E402
from mlpot.models.equivariant.density import CoupledDensity, ScalarDensity, make_edges  # noqa: E402
from mlpot.models.equivariant.radial import PolynomialEnvelope  # noqa: E402
from mlpot.models.forces import forces_from_pair_gradients  # noqa: E402


def _first_layer(model: EquivariantPotential, inputs) -> tuple[torch.Tensor, torch.Tensor]:
    """(densities, features) of the first layer."""
    species, first, second, vectors = inputs
    radial = model.radial(torch.linalg.vector_norm(vectors, dim=1))
    edges = make_edges(first, second, model.harmonics(vectors), radial, len(species))
    features = model.embedding[species]
    layer = model.layers[0]
    densities = layer.density(features, edges)
    return densities, layer(features, species, edges)[0]


def test_intermediate_features_rotate_with_their_irreps():
    model = make_model("vector")
    layer = model.layers[0]
    atoms = molecule()
    rotation = random_rotation(np.random.default_rng(4))
    moved = atoms.copy()
    moved.positions = atoms.positions @ rotation.T
    with torch.no_grad():
        densities, features = _first_layer(model, pair_inputs(model, atoms))
        moved_densities, moved_features = _first_layer(model, pair_inputs(model, moved))
    q = torch.from_numpy(rotation)
    for irreps, before, after in [
        (layer.density.density_irreps, densities, moved_densities),
        (layer.update.irreps_out, features, moved_features),
    ]:
        assert any(ir.l > 0 for _, ir in irreps)
        d = irreps.D_from_matrix(q)
        # e3nn builds Wigner matrices from float32 tables: agreement to ~1e-8, not 1e-15
        torch.testing.assert_close(after, before @ d.T, atol=1e-6, rtol=0)
        assert (after - before).abs().max() > 1e-3  # the l > 0 parts do move


def test_scalar_density_equals_the_e3nn_coupled_density():
    settings = SETTINGS["scalar"]
    torch.manual_seed(2)
    scalar = ScalarDensity(settings, radial_features=8).double()
    node_irreps = o3.Irreps(f"{settings.channels}x0e")
    coupled = CoupledDensity(node_irreps, settings, radial_features=8).double()
    assert coupled.density_irreps == scalar.density_irreps
    missing, unexpected = coupled.load_state_dict(scalar.state_dict(), strict=False)
    assert not unexpected and all(key.startswith("message.") for key in missing)
    model = make_model("scalar")
    species, first, second, vectors = pair_inputs(model, bulk_alni())
    radial = torch.randn(len(first), 8, dtype=torch.float64)
    edges = make_edges(first, second, model.harmonics(vectors), radial, len(species))
    features = torch.randn(len(species), settings.channels, dtype=torch.float64)
    torch.testing.assert_close(scalar(features, edges), coupled(features, edges))


def test_envelope_is_one_at_zero_and_flat_at_the_cutoff():
    envelope = PolynomialEnvelope(cutoff=5.0, p=6)
    r = torch.tensor([0.0, 2.5, 5.0 - 1e-4, 5.0, 6.0], dtype=torch.float64, requires_grad=True)
    values = envelope(r)
    (slope,) = torch.autograd.grad(values.sum(), r)
    assert values[0] == 1.0 and 0 < values[1] < 1
    assert values[2] < 1e-9 and values[3] == 0 and values[4] == 0
    assert abs(slope[2]) < 1e-5 and slope[4] == 0


def test_settings_are_checked():
    with pytest.raises(MlpotError, match="interactions must be between 1 and 3"):
        EquivariantSettings(interactions=4)
    with pytest.raises(MlpotError, match="hidden_l_max"):
        EquivariantSettings(l_max=1, hidden_l_max=2)
    with pytest.raises(MlpotError, match="mlp_readouts"):
        EquivariantSettings(mlp_readouts="first")
    with pytest.raises(MlpotError, match="distinct"):
        EquivariantPotential(("Si", "Si"), 5.0, EquivariantSettings(), torch.float64)


@pytest.mark.parametrize("kind", sorted(SETTINGS))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_spec_and_state_dict_round_trip(kind, dtype):
    model = make_model(kind, dtype)
    spec = json.loads(json.dumps(model.spec()))
    rebuilt = EquivariantPotential.from_spec(spec)
    assert rebuilt.reference_energies.dtype == dtype
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    rebuilt.load_state_dict(torch.load(buffer))
    atoms = bulk_alni()
    assert energy_and_forces(rebuilt, atoms)[0] == energy_and_forces(model, atoms)[0]
    np.testing.assert_array_equal(
        energy_and_forces(rebuilt, atoms)[1], energy_and_forces(model, atoms)[1]
    )


def test_from_spec_refuses_another_family():
    with pytest.raises(MlpotError, match="not an equivariant model spec"):
        EquivariantPotential.from_spec({"family": "descriptor", "version": 1})


@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")
@pytest.mark.parametrize("kind", sorted(SETTINGS))
def test_torchscript_artefact_gives_the_same_energy_and_forces(kind):
    model = make_model(kind)
    buffer = io.BytesIO()
    torch.jit.save(jit.script(model), buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    species, first, second, vectors = pair_inputs(model, bulk_alni())
    results = []
    for module in (model, loaded):
        v = vectors.clone().requires_grad_(True)
        energies = module(species, first, second, v)
        (gradients,) = torch.autograd.grad(energies.sum(), v)
        results.append((energies.detach(), gradients))
    torch.testing.assert_close(results[1], results[0], atol=1e-12, rtol=0)


@pytest.mark.parametrize("kind", sorted(SETTINGS))
def test_force_loss_gradients_match_finite_differences(kind):
    """Training differentiates the forces (double backward) for every parameter: checked at
    each parameter's largest gradient entry."""
    model = make_model(kind)
    species, first, second, vectors = pair_inputs(model, triclinic())

    def loss() -> torch.Tensor:
        v = vectors.clone().requires_grad_(True)
        energy = model.graph_energies(species, first, second, v).sum()
        (gradients,) = torch.autograd.grad(energy, v, create_graph=True)
        forces = forces_from_pair_gradients(gradients, first, second, 3)
        return forces.square().sum() + 0.1 * energy**2

    parameters = dict(model.named_parameters())
    gradients = torch.autograd.grad(loss(), list(parameters.values()))
    original = {name: p.detach().clone() for name, p in parameters.items()}
    try:
        for (name, parameter), gradient in zip(parameters.items(), gradients, strict=True):
            index = int(torch.argmax(gradient.abs()))
            values = parameter.data.view(-1)
            shifted = []
            for step in (1e-6, -1e-6):
                values[index] = original[name].view(-1)[index] + step
                shifted.append(float(loss()))
            values[index] = original[name].view(-1)[index]
            numerical = (shifted[0] - shifted[1]) / 2e-6
            assert gradient.view(-1)[index] == pytest.approx(numerical, rel=1e-5, abs=1e-7), name
    finally:
        for name, parameter in parameters.items():
            parameter.data.copy_(original[name])
