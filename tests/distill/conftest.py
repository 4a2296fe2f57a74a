"""Fixtures of the distillation tests; the setup helpers are in distill_setup.py. The
teachers that count their calls are active learning's test oracles (tests/active)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ACTIVE_TESTS = str(Path(__file__).parents[1] / "active")
if ACTIVE_TESTS not in sys.path:
    sys.path.append(ACTIVE_TESTS)  # active_oracles: also in spawned labelling workers


@pytest.fixture(autouse=True)
def one_numba_thread():
    """Four-atom cells: kernel threads only add overhead (and contention on a busy machine)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
