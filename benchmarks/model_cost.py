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
import sys
from functools import partial
from pathlib import Path

import numba
import numpy as np
import torch
from ase.build import bulk

from mlpot.calculators import load_calculator
from mlpot.data import read_frames

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import _median_us  # noqa: E402


def benchmark_structure(element: str, atoms: int, source: Path | None, index: int, seed: int = 0):
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
        structure = benchmark_structure(element, args.atoms, args.structure, args.index)
        cases[str(path)] = (calc, structure)
    rng = np.random.default_rng(1)

    def displaced_forces(calc, structure):
        structure.positions += rng.normal(0.0, 0.001, structure.positions.shape)
        structure.calc = calc
        structure.get_forces()

    functions = {name: partial(displaced_forces, *case) for name, case in cases.items()}
    for fn in functions.values():  # compile and warm up
        fn()
    per_call = _median_us(functions, args.repeats, 1)
    print("| model | atoms | cutoff Å | E+F µs/atom | / first |")
    print("|---|---:|---:|---:|---:|")
    base = None
    for name, (calc, structure) in cases.items():
        us = per_call[name] / len(structure)
        base = base or us
        cutoff = calc.model.sfset.cutoff
        print(f"| {name} | {len(structure)} | {cutoff:.1f} | {us:.1f} | {us / base:.2f} |")


if __name__ == "__main__":
    main()
