"""The data-driven default cutoff: the median distance to the k-th neighbour."""

from __future__ import annotations

import numpy as np
from ase.build import bulk, molecule

from mlpot.data.frame import Frame
from mlpot.descriptors.generator import AUTO_CUTOFF_RANGE, auto_cutoff


def frame(atoms) -> Frame:
    return Frame(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell.array,
                 pbc=atoms.pbc, energy=0.0, forces=None, stress=None)


def test_diamond_shells():
    # diamond (a = 5.43 Å) shells: 4, 12, 12, 6, 12 atoms; the 40th neighbour is in the fifth
    # shell at a sqrt(19) / 4 = 5.918 Å, the 30th in the fourth at a sqrt(16) / 4 = 5.43 Å
    si = frame(bulk("Si", "diamond", a=5.43, cubic=True))
    assert auto_cutoff([si], 40) == 6.0
    assert auto_cutoff([si], 30) == 5.5


def test_denser_material_gets_a_shorter_cutoff():
    fcc = [frame(bulk("Cu", "fcc", a=a)) for a in (3.5, 3.6, 3.7)]
    bcc_li = [frame(bulk("Li", "bcc", a=3.44))]
    assert auto_cutoff(fcc, 40) < auto_cutoff(bcc_li, 40)


def test_small_molecule_takes_the_upper_bound():
    water = molecule("H2O")
    water.center(vacuum=5.0)
    assert auto_cutoff([frame(water)], 40) == AUTO_CUTOFF_RANGE[1]


def test_cutoff_is_a_median_over_atoms_of_all_frames():
    frames = [frame(bulk("Si", "diamond", a=a, cubic=True)) for a in (5.43, 5.431, 5.432)]
    frames.append(frame(bulk("Si", "diamond", a=6.5, cubic=True)))
    assert auto_cutoff(frames, 40) == 6.0
    assert np.isclose(auto_cutoff(frames[3:], 40), np.ceil(65 * np.sqrt(19) / 4) / 10)


def test_cutoff_does_not_depend_on_the_order_of_the_frames(monkeypatch):
    # with fewer frames looked at than given, the choice must not follow the order (a
    # validation split reorders the training frames, and every seed must get one cutoff)
    import mlpot.descriptors.generator as generator

    monkeypatch.setattr(generator, "AUTO_CUTOFF_FRAMES", 3)
    frames = [frame(bulk("Si", "diamond", a=a, cubic=True)) for a in np.linspace(5.0, 6.5, 12)]
    cutoffs = set()
    for seed in range(6):
        order = np.random.default_rng(seed).permutation(len(frames))
        cutoffs.add(auto_cutoff([frames[i] for i in order], 40))
    assert len(cutoffs) == 1


def test_repeated_frames_count_once():
    # a bootstrap sample repeats frames; its members must get the cutoff of the frames it holds
    small = frame(bulk("Si", "diamond", a=5.43, cubic=True))
    large = frame(bulk("Si", "diamond", a=6.5, cubic=True))
    assert auto_cutoff([small, small, small, large], 40) == auto_cutoff([small, large], 40)
