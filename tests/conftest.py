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
