"""The shipped physics suite on multi-fidelity models of every family that takes a fidelity
input: the calculator predicts at the target fidelity (the input folded into the weights),
the training path reads the one-hot input itself, and the suite checks that both agree."""

from __future__ import annotations

import pytest
import torch
from physics_helpers import make_model, multi_fidelity_copy

from mlpot.models.interaction import InteractionSpec
from mlpot.testing.suite import PotentialPhysicsTests


class TestMultiFidelityNetworks(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return multi_fidelity_copy(make_model())


class TestMultiFidelityNeighbourMessages(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return multi_fidelity_copy(make_model(interaction=InteractionSpec(features=6, radial=5)))


class TestMultiFidelityEquivariant(PotentialPhysicsTests):
    atol = 1e-9

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        pytest.importorskip("e3nn")
        from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings

        settings = EquivariantSettings(channels=6, l_max=2, correlation=2, interactions=2,
                                       radial_basis=4, radial_hidden=(8,),
                                       average_neighbours=10.0)
        with torch.random.fork_rng():
            torch.manual_seed(2)
            model = EquivariantPotential(("Al", "Ni"), 4.6, settings)
        model.reference_energies.copy_(torch.tensor([-3.1, -5.4]))
        model.energy_scale.fill_(0.5)
        return multi_fidelity_copy(model)


class TestMultiFidelityGap(PotentialPhysicsTests):
    fd_rtol = 1e-4  # as the GAP's own suite: its cosine cutoffs are C1

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        pytest.importorskip("featomic")
        from mlpot.models.gap.kernels import TwoBodySettings
        from mlpot.models.gap.model import GapPotential
        from mlpot.models.gap.soap import SoapSettings

        soap = SoapSettings(cutoff=4.0, width=1.0, l_max=3, n_max=3, atom_sigma=0.5)
        two_body = TwoBodySettings(cutoff=4.0, width=1.0, r_min=1.8, n_points=6, theta=0.6)
        with torch.random.fork_rng():
            torch.manual_seed(4)
            model = GapPotential(("Al", "Ni"), soap, two_body, n_sparse=5)
            model.sparse.copy_(torch.rand(model.sparse.shape, dtype=torch.float64))
            model.sparse_species.copy_(torch.tensor([0, 0, 1, 1, 0]))
            model.weights.copy_(0.1 * torch.randn(model.weights.shape, dtype=torch.float64))
        return multi_fidelity_copy(model)
