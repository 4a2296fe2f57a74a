"""Write the starting structures and the held-out trajectory of the Al-Ni example.

start.xyz:   fcc Al, fcc Ni and L1_2 Ni3Al, conventional cubic cells doubled along x (8 atoms),
             unlabelled (the loop labels them with EMT).
holdout.xyz: 40 frames of 32-atom Ni3Al at 1400 K (NVT Langevin, EMT, seed 2024), one every
             25 steps of 2 fs after 500 steps of equilibration, with EMT energy, forces, stress.
Run from anywhere; the files are written beside this script.
"""

from __future__ import annotations

from pathlib import Path

from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

from mlpot.simulation.md import run_md

HERE = Path(__file__).resolve().parent


def ni3al(repeat: tuple[int, int, int]):
    atoms = bulk("Ni", "fcc", a=3.57, cubic=True)
    atoms.symbols[0] = "Al"  # the cube corner: L1_2
    return atoms.repeat(repeat)


def starting_structures():
    return [
        bulk("Al", "fcc", a=4.05, cubic=True).repeat((2, 1, 1)),
        bulk("Ni", "fcc", a=3.52, cubic=True).repeat((2, 1, 1)),
        ni3al((2, 1, 1)),
    ]


def holdout_trajectory(frames: int = 40, every: int = 25, equilibration: int = 500):
    atoms = ni3al((2, 2, 2))
    kept = []

    def keep(current, step):
        if step >= equilibration and (step - equilibration) % every == 0:
            labelled = current.copy()
            labelled.calc = EMT()
            labelled.get_potential_energy(), labelled.get_forces(), labelled.get_stress()
            kept.append(labelled)

    run_md(
        atoms,
        EMT(),
        ensemble="nvt",
        temperature_K=1400.0,
        timestep_fs=2.0,
        steps=equilibration + every * (frames - 1),
        interval=every,
        seed=2024,
        progress=False,
        observers=[keep],
    )
    return kept


if __name__ == "__main__":
    write(HERE / "start.xyz", starting_structures(), format="extxyz")
    frames = holdout_trajectory()
    write(HERE / "holdout.xyz", frames, format="extxyz")
    print(f"wrote start.xyz (3 structures) and holdout.xyz ({len(frames)} frames)")
