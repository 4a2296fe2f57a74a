"""The cost of descriptors estimated from the data before they are computed: counted pairs
and triplets, memory, a refusal above the machine's memory and descriptors that see nothing."""

from __future__ import annotations

import numpy as np
import pytest
from bad_data import copper, frames_of

from mlpot.data import DataError
from mlpot.data.resources import check_resources, estimate_resources, machine_memory
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.generator import default_symmetry_functions
from mlpot.neighbours.pairs import neighbour_pairs

GB = 1e9


def _sfset(cutoff: float):
    return default_symmetry_functions(["Cu"], cutoff, CutoffFunction("cos"), r_min=0.5)


def _size(cutoff: float) -> tuple[float, int]:
    """(cutoff, functions per atom) of the default set."""
    return cutoff, _sfset(cutoff).n_features("Cu")


def test_pairs_and_triplets_are_counted_exactly_for_small_cutoffs():
    frames = frames_of(copper(3))
    estimate = estimate_resources(frames, 5.0, 10, 8)
    counts = [np.diff(neighbour_pairs(f.positions, f.cell, f.pbc, 5.0).offsets) for f in frames]
    assert estimate.pairs == sum(int(c.sum()) for c in counts)
    assert estimate.triplets == sum(int((c * (c - 1) // 2).sum()) for c in counts)
    assert estimate.bytes == estimate.pairs * (33 * 8 + 16) + 12 * 10 * 8


def test_a_huge_cutoff_is_estimated_from_the_density_and_refused(capsys):
    frames = frames_of(copper(2)) * 50  # the same frames again count once
    estimate = estimate_resources(frames, 40.0, 100, 8)
    volume = abs(np.linalg.det(frames[0].cell))
    expected = 4 * 4 / volume * 4 / 3 * np.pi * 40.0**3
    assert estimate.pairs == pytest.approx(2 * expected, rel=0.05)
    with pytest.raises(DataError, match=r"needs about [\d.]+ GB .* more than this machine's 0.1 GB"
                       r" of memory; lower descriptors.cutoff \(now 40 Å"):
        check_resources(frames, *_size(40.0), 8, memory=(0.1 * GB, 0.08 * GB))


def test_a_large_estimate_is_a_warning(capsys):
    frames = frames_of(copper(2))
    estimate = check_resources(frames, *_size(5.0), 8, memory=(1 * GB, 0.8 * GB))
    assert "model inputs: cutoff 5 Å, " in capsys.readouterr().out
    check_resources(frames, *_size(5.0), 8, memory=(1 * GB, estimate.bytes))
    assert "of the 0.000" in capsys.readouterr().err  # above half of what is available


def test_a_cutoff_below_every_bond_is_refused():
    with pytest.raises(DataError, match="no atom has a neighbour within the cutoff of 1 Å"):
        check_resources(frames_of(copper(2)), *_size(1.0), 8, memory=(GB, GB))


def test_machine_memory_is_known():
    total, available = machine_memory()
    assert 0 < available <= total < 1e15
