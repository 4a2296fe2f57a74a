"""A stand-in universal model: EMT, registered under the name "emt-universal" the way the
shipped models are (a name, the package file it reads, a maker), so that every path from a
name to a calculator runs without sevenn or chgnet installed."""

import pytest
from ase.calculators.emt import EMT

from mlpot.universal import models


def make_standin(spec, path, device, kwargs):
    calc = EMT(**kwargs)
    calc.universal_spec = spec  # what the resolver handed over, for the tests to inspect
    return calc


@pytest.fixture
def standin(monkeypatch):
    """Register "emt-universal" (weights: ase/__init__.py of the installed ase)."""
    monkeypatch.setitem(models.PRETRAINED, "emt-universal", ("emt", "ase", "__init__.py"))
    monkeypatch.setitem(models.PACKAGES, "emt", ("ase", "pip install ase"))
    monkeypatch.setitem(models.MAKERS, "emt", make_standin)
    return "emt-universal"
