"""Hand-written pieces kept beside a library that does the same job: are they still faster?

- Verlet list: `VerletList` (a vesin list at cutoff + skin, filtered by a compiled pass) against
  a fresh vesin list at the cutoff every step, and against vesin's own skin cache
  (`NeighborList(skin=...)`, its pairs converted to `Pairs`; and unsorted, as it comes, which
  the kernels cannot use: they need the pairs grouped by atom). Speed benchmark's bcc Mo
  (2,000 and 16,000 atoms, cutoff 5.2 Å, skin 1 Å), 100 steps of 1 fs at 300 K along two
  synthetic trajectories: "solid", every atom an Einstein oscillator (6 THz) about its site,
  and "liquid", free atoms under Langevin friction (0.02 / fs), which drift away and make the
  list rebuild often (the worst case for a skin).
- g(r): `radial_distribution` against ASE's `ase.geometry.rdf.get_rdf`, 864 rattled fcc Cu
  atoms x 10 frames, rmax 6 Å, 200 bins (ASE refuses cells thinner than 2 rmax; the 64-atom
  cell of a small MD run is one).

    python benchmarks/library_choices.py [--repeats 3]

Prints milliseconds of wall time per step or per frame (median of the repeats, the variants
called in turn) as Markdown tables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import CUTOFF, _median_us, machine, rattled_bcc  # noqa: E402

SKIN = 1.0  # Å
STEPS = 100
KT = 0.025852  # eV at 300 K
OMEGA = 2 * np.pi * 6e-3  # rad / fs (6 THz)
FRICTION = 0.02  # 1 / fs


def trajectory(n_atoms: int, kind: str, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """(cell, STEPS positions (N, 3), Å) of a synthetic 300 K trajectory, 1 fs apart."""
    from ase.units import fs

    atoms = rattled_bcc(n_atoms)
    rng = np.random.default_rng(seed)
    sigma_v = np.sqrt(KT / atoms.get_masses()[0]) * fs  # Å / fs per component
    velocity = rng.normal(scale=sigma_v, size=(n_atoms, 3))
    sites, frames = atoms.positions.copy(), []
    if kind == "solid":
        amplitude = rng.normal(scale=sigma_v / OMEGA, size=(n_atoms, 3))
        for t in range(STEPS):
            phase = OMEGA * t
            frames.append(sites + amplitude * np.cos(phase) + velocity / OMEGA * np.sin(phase))
    else:
        position, keep = sites, np.exp(-FRICTION)
        for _ in range(STEPS):
            position = position + velocity
            noise = rng.normal(scale=sigma_v * np.sqrt(1 - keep**2), size=velocity.shape)
            velocity = keep * velocity + noise
            frames.append(position)
    return atoms.cell.array, frames


def verlet_variants(cell: np.ndarray, frames: list[np.ndarray]) -> dict:
    from vesin import NeighborList

    from mlpot.neighbours.pairs import _as_pairs, neighbour_pairs
    from mlpot.neighbours.verlet import VerletList

    pbc = np.ones(3, dtype=bool)

    def ours():
        verlet = VerletList(CUTOFF, SKIN)
        for positions in frames:
            verlet.pairs(positions, cell, pbc)
        return verlet.builds

    def fresh():
        for positions in frames:
            neighbour_pairs(positions, cell, pbc, CUTOFF)

    def vesin_skin():
        calculator = NeighborList(cutoff=CUTOFF, full_list=True, sorted=True, skin=SKIN)
        for positions in frames:
            computed = calculator.compute(positions, cell, pbc, quantities="ijSDd")
            _as_pairs(*computed, len(positions))

    def vesin_skin_unsorted():  # what the cache costs before pairs are grouped by atom
        calculator = NeighborList(cutoff=CUTOFF, full_list=True, sorted=False, skin=SKIN)
        for positions in frames:
            calculator.compute(positions, cell, pbc, quantities="ijSDd", copy=False)

    return {
        "VerletList": ours,
        "vesin every step": fresh,
        "vesin skin cache": vesin_skin,
        "vesin skin cache, unsorted": vesin_skin_unsorted,
    }


def rdf_variants() -> tuple[dict, float]:
    from ase.build import bulk
    from ase.geometry.rdf import get_rdf

    from mlpot.analysis.properties.rdf import radial_distribution

    frames = []
    for seed in range(10):
        atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(6)
        atoms.rattle(0.1, seed=seed)
        frames.append(atoms)
    difference = np.abs(radial_distribution(frames).g - get_rdf(frames, 6.0, 200)[0]).max()
    return {
        "radial_distribution": lambda: radial_distribution(frames, rmax=6.0, bins=200),
        "ase get_rdf": lambda: get_rdf(frames, 6.0, 200),
    }, float(difference)


def _median_ms(functions: dict, repeats: int, per: int) -> dict:
    """Median wall time (ms) of each function divided by `per`, the functions called in turn."""
    return {name: us / 1e3 / per for name, us in _median_us(functions, repeats, 1).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    print("ms per step:\n")
    print("| atoms | trajectory | builds | VerletList | vesin every step | vesin skin cache "
          "| unsorted |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n_atoms in (2_000, 16_000):
        for kind in ("solid", "liquid"):
            cell, frames = trajectory(n_atoms, kind)
            functions = verlet_variants(cell, frames)
            builds = functions["VerletList"]()  # also compiles
            ms = _median_ms(functions, args.repeats, STEPS)
            cells = " | ".join(f"{value:.2f}" for value in ms.values())
            print(f"| {n_atoms:,} | {kind} | {builds} | {cells} |")
    functions, difference = rdf_variants()
    functions["radial_distribution"]()  # compiles
    ms = _median_ms(functions, args.repeats, 10)
    print("\n| g(r), 864 atoms x 10 frames | ms per frame |")
    print("|---|---:|")
    for name, value in ms.items():
        print(f"| {name} | {value:.1f} |")
    print(f"\nlargest |g - g_ase|: {difference:.1e}")


if __name__ == "__main__":
    main()
