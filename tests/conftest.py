"""Test-suite root: shared fixtures.

pytest (default "prepend" import mode) puts this directory on sys.path when it loads this file,
which is what lets test modules in subdirectories `import physics_helpers`.
"""

import pytest


@pytest.fixture(scope="session")
def alni_model():
    """The seeded random-weight Al-Ni model (float64, cos cutoff); tests must not modify it."""
    from physics_helpers import make_model

    return make_model()


@pytest.fixture(scope="session")
def alni_model_float32():
    """The same model in float32 (its float64 weights rounded); tests must not modify it."""
    import torch
    from physics_helpers import make_model

    return make_model(dtype=torch.float32)


@pytest.fixture(scope="session")
def interaction_model():
    """The Al-Ni model with neighbour messages (random weights); tests must not modify it."""
    from physics_helpers import make_model

    from mlpot.models.interaction import InteractionSpec

    return make_model(interaction=InteractionSpec(features=6, radial=5))


@pytest.fixture(scope="session", params=["plain", "interaction"])
def any_model(request):
    """Each test model in turn: the plain Al-Ni model, then the one with neighbour messages."""
    return request.getfixturevalue(f"{'alni' if request.param == 'plain' else 'interaction'}_model")
