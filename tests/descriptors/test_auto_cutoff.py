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
    frames = [frame(bulk("Si", "diamond", a=5.43, cubic=True)) for _ in range(3)]
    frames.append(frame(bulk("Si", "diamond", a=6.5, cubic=True)))
    assert auto_cutoff(frames, 40) == 6.0
    assert np.isclose(auto_cutoff(frames[3:], 40), np.ceil(65 * np.sqrt(19) / 4) / 10)
