"""Fixtures of the active-learning tests; the setup helpers are in active_setup.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def one_numba_thread():
    """Four-atom cells: kernel threads only add overhead (and contention on a busy machine)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
