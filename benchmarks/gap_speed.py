"""E+F cost of one saved GAP, mlpot's or QUIP's, for comparing commits and codes on a busy
machine: run it alternately per code and take medians over the rounds.

    python benchmarks/gap.py ... --keep DIR     # DIR/gap.pt, DIR/gap.xml, DIR/probe.xyz
    for i in 1 2 3 4 5 6 7 8 9; do
        for src in OLD/src NEW/src; do
            PYTHONPATH=$src python benchmarks/gap_speed.py DIR/gap.pt DIR/probe.xyz; done
        /path/to/quip/venv/bin/python benchmarks/gap_speed.py DIR/gap.xml DIR/probe.xyz; done

prints one JSON line: the median over --calls energy + forces calls (after one warm-up call)
of the wall time and of the process CPU time (which leaves out waiting for a core), ms per
atom-step, on the probe repeated --repeat times along each cell vector, atoms moved between
calls; one thread. Needs only ASE and NumPy besides the code timed (mlpot's for a model file
.pt, quippy for QUIP's .xml).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")


def calculator(path: str):
    if path.endswith(".xml"):
        from quippy.potential import Potential

        return Potential(param_filename=path)
    import torch

    from mlpot.calculators import MlpotCalculator
    from mlpot.models.serialization import load_model

    torch.set_num_threads(1)
    return MlpotCalculator(load_model(path))


def costs(calc, atoms, calls: int) -> dict[str, float]:
    """Median wall and CPU ms per atom-step of `calls` E+F calls after a warm-up call."""
    atoms.calc = calc
    rng = np.random.default_rng(0)
    wall, cpu = [], []
    for k in range(calls + 1):
        atoms.positions += rng.normal(0, 1e-3, atoms.positions.shape)
        start, start_cpu = time.perf_counter(), time.process_time()
        atoms.get_forces()
        if k:
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    scale = 1e3 / len(atoms)
    return {"wall": float(np.median(wall)) * scale, "cpu": float(np.median(cpu)) * scale}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="mlpot model file (.pt) or QUIP's gap.xml")
    parser.add_argument("probe", help="structure file ASE reads")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--calls", type=int, default=7)
    args = parser.parse_args(argv)
    from ase.io import read

    atoms = read(args.probe).repeat(args.repeat)
    result = costs(calculator(args.model), atoms, args.calls)
    print(json.dumps({"model": args.model, "atoms": len(atoms), **result}))


if __name__ == "__main__":
    main()
