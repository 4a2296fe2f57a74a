"""Fixtures of the training tests (data: emt_alni.py)."""

from __future__ import annotations

import pytest
from emt_alni import emt_frames

from mlpot.data.frame import Frame


@pytest.fixture(scope="session")
def alni_frames() -> list[Frame]:
    return emt_frames(24)
