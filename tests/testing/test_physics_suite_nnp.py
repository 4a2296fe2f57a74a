"""The shipped physics suite on every variant of the descriptor families: plain symmetry-
function networks, neighbour messages, a committee, and models imported from n2p2
and SIMPLE-NN (the SNAP family runs it in tests/interop, where LAMMPS is available)."""

from __future__ import annotations

from pathlib import Path

import pytest
from physics_helpers import make_model

from mlpot.models.interaction import InteractionSpec
from mlpot.testing.suite import PotentialPhysicsTests

FIXTURES = Path(__file__).parent.parent / "fixtures"


class TestPlainNetworks(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return make_model()


class TestNeighbourMessages(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return make_model(interaction=InteractionSpec(features=6, radial=5))


class TestCommittee(PotentialPhysicsTests):
    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return [make_model(seed=0), make_model(seed=1)]


class TestImportedFromN2p2(PotentialPhysicsTests):
    spacing = 2.35  # Si

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        from mlpot.data import BOHR_HARTREE
        from mlpot.interop.n2p2 import read_potential

        return read_potential(FIXTURES / "n2p2_si", units=BOHR_HARTREE)


class TestImportedFromSimpleNN(PotentialPhysicsTests):
    spacing = 1.8  # O and H
    like_pairs = False  # its functions describe O-H pairs only

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        from mlpot.interop import read_potential

        return read_potential("simple-nn", FIXTURES / "simple_nn" / "potential_saved_OH")
