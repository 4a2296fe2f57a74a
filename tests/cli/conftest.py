"""CLI tests load EMT wherever a command loads a model."""

import pytest
from ase.calculators.emt import EMT

import mlpot.calculators


@pytest.fixture
def emt_model(monkeypatch):
    """Make mlpot.calculators.load_calculator return EMT; records the paths asked for."""
    loaded = []

    def load_calculator(path, units=None):
        loaded.append(str(path))
        return EMT()

    monkeypatch.setattr(mlpot.calculators, "load_calculator", load_calculator, raising=False)
    return loaded
