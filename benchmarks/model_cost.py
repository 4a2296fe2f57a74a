"""What trained models cost in MD: energy and forces through mlpot's ASE calculator.

    python benchmarks/model_cost.py runs/zuo/Si/run/model.pt runs/other/Si/run/model.pt \
        --atoms 2000 --repeats 10

Every model gets the same structure: the ground-state crystal of its element (ASE's
`bulk(element, cubic=True)`), or with --structure FILE --index N that frame of a file mlpot
reads, repeated to at least --atoms atoms, every coordinate rattled by a Gaussian of 0.05 Å.
A crystal's neighbour shells can fall on either side of two cutoffs; a liquid snapshot
(--structure) has about as many more neighbours as the cutoff's volume gives. The models
are called in turn, each call on freshly displaced positions (so nothing is cached), and the
table gives the median wall time per atom of each, with one thread, and its ratio to the
first model's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np
import torch
from ase.build import bulk

from mlpot.calculators import load_calculator
from mlpot.data import read_frames


def test_structure(element: str, atoms: int, source: Path | None, index: int, seed: int = 0):
    if source is None:
        cell = bulk(element, cubic=True)
    else:
        cell = read_frames(source)[index].to_atoms()
    repeat = int(np.ceil((atoms / len(cell)) ** (1 / 3)))
    structure = cell.repeat(repeat)
    structure.rattle(0.05, seed=seed)
    return structure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--atoms", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--structure", type=Path, help="a file of structures (default: crystal)")
    parser.add_argument("--index", type=int, default=0, help="the frame of --structure")
    args = parser.parse_args()
    torch.set_num_threads(1)
    numba.set_num_threads(1)
    cases = {}
    for path in args.models:
        calc = load_calculator(path)
        element = calc.model.elements[0]
        structure = test_structure(element, args.atoms, args.structure, args.index)
        cases[str(path)] = (calc, structure)
    times: dict[str, list[float]] = {name: [] for name in cases}
    rng = np.random.default_rng(1)
    for repeat in range(args.repeats + 1):  # the first round compiles and warms up
        for name, (calc, structure) in cases.items():
            structure.positions += rng.normal(0.0, 0.001, structure.positions.shape)
            structure.calc = calc
            start = time.perf_counter()
            structure.get_forces()
            if repeat:
                times[name].append((time.perf_counter() - start) / len(structure) * 1e6)
    print("| model | atoms | cutoff Å | E+F µs/atom | / first |")
    print("|---|---:|---:|---:|---:|")
    base = None
    for name, (calc, structure) in cases.items():
        us = float(np.median(times[name]))
        base = base or us
        cutoff = calc.model.sfset.cutoff
        print(f"| {name} | {len(structure)} | {cutoff:.1f} | {us:.1f} | {us / base:.2f} |")


if __name__ == "__main__":
    main()
