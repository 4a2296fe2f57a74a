"""Small EMT-labelled Al-Ni data sets and a symmetry-function set for training tests."""

from __future__ import annotations

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.data.frame import Frame

SF_LINES = [
    *(f"{c} 2 {n} {eta} 0.0 5.0" for c in ("Al", "Ni") for n in ("Al", "Ni") for eta in (0.1, 0.5)),
    *(f"{c} 3 {a} {b} 0.05 {lam} 2.0 5.0"
      for c in ("Al", "Ni") for a, b in (("Al", "Al"), ("Al", "Ni"), ("Ni", "Ni"))
      for lam in (-1, 1)),
]


def emt_frames(n: int, seed: int = 0, group: str = "bulk") -> list[Frame]:
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(n):
        atoms = bulk("Al", "fcc", a=3.9 + 0.1 * rng.random(), cubic=True)
        atoms.symbols[rng.permutation(4)[: 1 + k % 3]] = "Ni"
        atoms.rattle(0.1, seed=int(rng.integers(1 << 30)))
        atoms.calc = EMT()
        frames.append(Frame(
            numbers=atoms.numbers.copy(), positions=atoms.positions.copy(),
            cell=atoms.cell.array.copy(), pbc=atoms.pbc.copy(),
            energy=atoms.get_potential_energy(), forces=atoms.get_forces(),
            stress=atoms.get_stress(), group=group, source=f"emt:{k}",
        ))
    return frames
