"""E+F and MD-step cost of speed.py's Mo model in thread CPU time, for comparing two commits on
a busy machine (CPU time leaves out the time the process waits for a core).

    for i in 1 2 3 4 5; do for tree in OLD NEW; do
        (cd $tree && PYTHONPATH=src python benchmarks/commit_speed.py); done; done

prints one JSON line per run: E+F through the calculators' evaluation with the neighbour list
given (µs of CPU per atom, median of 15), and an ASE VelocityVerlet step through
MlpotCalculator (skin 1 Å). Works with the evaluation API before and after model families.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from speed import _prepared  # noqa: E402

N_ATOMS, REPEATS, STEPS = 2_000, 15, 30


def _cpu_us(fn, repeats: int, n_atoms: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return 1e6 * statistics.median(times) / n_atoms


def energy_forces(model, acsf, atoms, species, pairs):
    """The calculators' E+F evaluation of one structure, old API or new."""
    try:
        from mlpot.models.evaluate import DescriptorEvaluator
    except ImportError:  # before model families
        from mlpot.models.evaluate import evaluate_structure

        return lambda: evaluate_structure(model, acsf, species, pairs, virial=False)
    evaluator = DescriptorEvaluator([model], skin=0.0)
    return lambda: evaluator.evaluate(atoms, pairs, {"forces"})


def md_step(model, atoms):
    from ase import units
    from ase.md.verlet import VelocityVerlet

    from mlpot.calculators import MlpotCalculator

    atoms.calc = MlpotCalculator(model, skin=1.0)
    atoms.set_momenta(0.01 * (atoms.positions - atoms.positions.mean(0)))
    dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    dyn.run(2)
    return lambda: dyn.run(1)


def main() -> None:
    model, acsf, atoms, species, pairs = _prepared(N_ATOMS, 1)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "commit": commit,
        "energy_forces_cpu_us": _cpu_us(energy_forces(model, acsf, atoms, species, pairs),
                                        REPEATS, N_ATOMS),
        "md_step_cpu_us": _cpu_us(md_step(model, atoms.copy()), STEPS, N_ATOMS),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
