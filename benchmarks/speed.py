"""Speed benchmark (issue: evaluation speed): a Mo NNP the size of Zuo et al.'s on bcc Mo.

Model: 39 symmetry functions for one element (15 radial G2 on an even grid of centres, 24 narrow
angular G4 (n2p2 type 3) from 3 widths x lambda +-1 x zeta 1, 2, 4, 16), cutoff 5.2 Å, cos
cutoff, networks 39-16-16-1 tanh with random weights, the scaler fitted to the structure and a
small energy scale (forces of about 0.01 eV/Å, so that MD stays thermal; the cost does not
depend on the values). Structures: bcc Mo, a = 3.16 Å, n x n x n cubic cells (2,000 / 16,000 /
128,000 atoms), every coordinate rattled by a Gaussian of 0.05 Å.

Reported, per size and for 1 and 2 threads (numba and torch), in microseconds of wall time per
atom and step (median of the repeats, E+F and E+F+S timed alternately):

- neighbour list: `neighbour_pairs` at the cutoff (vesin);
- E+F: the calculators' evaluation (`Potential.evaluator`, the fused kernel) with forces,
  without the virial, its neighbour list given (no skin); E+F+S: with the stress;
- peak memory: the largest resident set size (resource.getrusage ru_maxrss) of the fresh
  process that built the structure and its neighbour list and evaluated it;
- compile: the first evaluation in a process with an empty numba cache (JIT compilation of the
  kernels); the first call with the cache filled (loading) is in the table;
- MD: ASE VelocityVerlet (1 fs, 300 K) through `MlpotCalculator` (skin 1 Å) at 2,000 atoms:
  wall time per step and the part of it inside the kernel (`ACSF.energies_and_pair_gradients`);
  the overhead is everything else (neighbour list updates and rebuilds, forces from pair
  gradients, ASE, Python);
- elements: the same at 2,000 atoms for a B2 Mo-W crystal with the full two-element set (102
  functions per element), against the one-element set (39), one thread;
- the ratio to LAMMPS SNAP (2J = 8) from `benchmarks/lammps_reference.py` where LAMMPS runs
  here, ranks = threads.

    python benchmarks/speed.py                            # the full table (about 15 minutes)
    python benchmarks/speed.py --quick                    # 2,000 atoms, fewer repeats and steps
    python benchmarks/speed.py --markdown BENCHMARKS.md   # also (re)write that section
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SECTION = "Speed (issue: evaluation speed)"
SIZES = (2_000, 16_000, 128_000)
THREADS = (1, 2)
CUTOFF = 5.2  # Å
LATTICE = 3.16  # Å
RATTLE = 0.05  # Å
SEED = 20240501
ENERGY_SCALE = 0.01  # eV per unit of network output


def reference_model(elements: tuple[str, ...] = ("Mo",), seed: int = SEED):
    """Per centre: 15 G2 per neighbour element and 24 G4 per neighbour-element pair (39 for one
    element), networks 16-16 tanh with random weights from `seed`."""
    import torch

    from mlpot.descriptors.symmetry_functions import AngularG4, RadialG2, SymmetryFunctionSet
    from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

    r_min, n_radial = 1.0, 15
    spacing = (CUTOFF - r_min) / n_radial
    centres = np.linspace(r_min, CUTOFF, n_radial + 1)[:-1]
    pairs = [(a, b) for n, a in enumerate(elements) for b in elements[n:]]
    functions = {}
    for c in elements:
        radial = [
            RadialG2(c, e, 1.0 / (2.0 * spacing**2), float(rs), CUTOFF)
            for e in elements
            for rs in centres
        ]
        angular = [
            AngularG4(c, pair, 1.0 / (2.0 * width**2), lam, zeta, CUTOFF)
            for pair in pairs
            for width in np.linspace(r_min, CUTOFF, 3)
            for lam in (-1.0, 1.0)
            for zeta in (1.0, 2.0, 4.0, 16.0)
        ]
        functions[c] = tuple(radial + angular)
    sfset = SymmetryFunctionSet(elements, functions)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        networks = {e: NetworkSpec((16, 16), "tanh") for e in elements}
        return NeuralNetworkPotential(sfset, networks)


def fit_scaler(model, acsf, species, pairs) -> None:
    """Fit the descriptor scaling to one structure (O(1) network inputs, as after training)
    and set the small energy scale."""
    import torch

    descriptors = torch.from_numpy(acsf.compute(species, pairs)[0])
    with torch.no_grad():
        for e, element in enumerate(model.elements):
            rows = descriptors[torch.from_numpy(species == e), : model.sfset.n_features(element)]
            model.scalers[element].fit(rows, "meanstd", pca=False)
        model.energy_scale.fill_(ENERGY_SCALE)


def rattled_bcc(n_atoms: int, elements: tuple[str, ...] = ("Mo",), seed: int = SEED):
    """bcc (B2 for two elements: the second on the body centres), rattled."""
    from ase.build import bulk

    n = round((n_atoms / 2) ** (1 / 3))
    atoms = bulk("Mo", "bcc", a=LATTICE, cubic=True).repeat((n, n, n))
    if len(atoms) != n_atoms:
        raise ValueError(f"{n_atoms} atoms is not 2 n^3")
    symbols = [elements[k % len(elements)] for k in range(n_atoms)]
    atoms.set_chemical_symbols(symbols)
    atoms.rattle(stdev=RATTLE, seed=seed)
    atoms.wrap()
    return atoms


def _prepared(n_atoms: int, threads: int, elements: tuple[str, ...] = ("Mo",)):
    """(model, acsf, atoms, species, pairs) with the threads set and the scaler fitted."""
    import numba
    import torch

    from mlpot.descriptors.acsf import ACSF

    numba.set_num_threads(threads)
    torch.set_num_threads(threads)
    model = reference_model(elements)
    acsf = ACSF(model.sfset)
    atoms = rattled_bcc(n_atoms, elements)
    species = acsf.species(atoms.numbers)
    pairs = _pairs(acsf, atoms)
    fit_scaler(model, acsf, species, pairs)
    return model, acsf, atoms, species, pairs


def _pairs(acsf, atoms):
    from mlpot.neighbours.pairs import neighbour_pairs

    return neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, acsf.cutoff)


def _median_us(functions: dict, repeats: int, n_atoms: int) -> dict:
    """Median wall time per atom of each function, the functions called in turn."""
    times: dict = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1e6 * statistics.median(t) / n_atoms for name, t in times.items()}


def measure_size(n_atoms: int, threads: int, repeats: int) -> dict:
    """Timings of one size and thread count (run in a fresh process for its peak memory)."""
    start = time.perf_counter()
    model, acsf, atoms, species, pairs = _prepared(16, threads)
    _evaluator(model, pairs)(atoms, {"forces", "stress"})
    first_call_s = time.perf_counter() - start
    model, acsf, atoms, species, pairs = _prepared(n_atoms, threads)
    evaluate = _evaluator(model, pairs)
    us = _median_us(
        {
            "neighbours_us": lambda: _pairs(acsf, atoms),
            "energy_forces_us": lambda: evaluate(atoms, {"forces"}),
            "energy_forces_stress_us": lambda: evaluate(atoms, {"forces", "stress"}),
        },
        repeats,
        n_atoms,
    )
    return {
        "n_atoms": n_atoms,
        "threads": threads,
        "pairs_per_atom": len(pairs.first) / n_atoms,
        "first_call_s": first_call_s,
        **us,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _evaluator(model, pairs):
    """evaluate(atoms, outputs): the model's calculator evaluation with `pairs` given."""
    evaluator = type(model).evaluator([model], skin=0.0)
    return lambda atoms, outputs: evaluator.evaluate(atoms, pairs, outputs)


def measure_elements(n_atoms: int, repeats: int) -> list[dict]:
    """E+F of the one-element and the two-element (B2 Mo-W) set, one thread."""
    rows = []
    for elements in (("Mo",), ("Mo", "W")):
        model, acsf, atoms, species, pairs = _prepared(n_atoms, 1, elements)
        evaluator = _evaluator(model, pairs)

        def evaluate(evaluator=evaluator, atoms=atoms):
            evaluator(atoms, {"forces"})

        us = _median_us({"us": evaluate}, repeats, n_atoms)["us"]
        rows.append({"elements": "-".join(elements), "functions": acsf.n_features, "us": us})
    return rows


def measure_md(n_atoms: int, threads: int, steps: int) -> dict:
    """Wall time per VelocityVerlet step through the ASE calculator, and the part of it spent
    in the kernel (`ACSF.energies_and_pair_gradients`, timed inside the same run)."""
    from ase import units
    from ase.md.verlet import VelocityVerlet

    from mlpot.calculators import MlpotCalculator

    model, _, atoms, _, _ = _prepared(n_atoms, threads)
    calc = MlpotCalculator(model, skin=1.0)
    atoms.calc = calc
    kt = units.kB * 300.0  # Maxwell-Boltzmann momenta
    rng = np.random.default_rng(SEED)
    atoms.set_momenta(rng.normal(size=(n_atoms, 3)) * np.sqrt(atoms.get_masses() * kt)[:, None])
    dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    dyn.run(2)  # first neighbour list
    kernel_s = []
    engine = calc.evaluator.engine
    kernel = engine.energies_and_pair_gradients

    def timed_kernel(*args):
        start = time.perf_counter()
        out = kernel(*args)
        kernel_s.append(time.perf_counter() - start)
        return out

    engine.energies_and_pair_gradients = timed_kernel
    builds = calc.evaluator.neighbours.builds
    start = time.perf_counter()
    dyn.run(steps)
    step_us = 1e6 * (time.perf_counter() - start) / (steps * n_atoms)
    kernel_us = 1e6 * sum(kernel_s) / (len(kernel_s) * n_atoms)
    return {
        "n_atoms": n_atoms,
        "threads": threads,
        "steps": steps,
        "neighbour_builds": calc.evaluator.neighbours.builds - builds,
        "step_us": step_us,
        "kernel_us": kernel_us,
        "overhead_percent": 100 * (step_us - kernel_us) / kernel_us,
    }


def measure_compile() -> dict:
    """First evaluations (energy only, then with forces) with an empty numba cache."""
    from mlpot.descriptors.acsf import ACSF

    model = reference_model()
    acsf = ACSF(model.sfset)
    atoms = rattled_bcc(16)
    evaluate = _evaluator(model, _pairs(acsf, atoms))
    start = time.perf_counter()
    evaluate(atoms, set())
    energy_s = time.perf_counter() - start
    start = time.perf_counter()
    evaluate(atoms, {"forces", "stress"})
    return {"energy_s": energy_s, "forces_s": time.perf_counter() - start}


def measure_lammps(sizes, threads, quick: bool) -> dict:
    """SNAP µs per atom-step keyed by "atoms/ranks", or a reason it is unavailable."""
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import lammps_reference
    except ImportError as err:
        return {"unavailable": f"benchmarks/lammps_reference.py not importable ({err})"}
    steps_of = getattr(lammps_reference, "DEFAULT_STEPS", {})
    results = {}
    for n_atoms in sizes:
        for ranks in threads:
            steps = 5 if quick else steps_of.get(n_atoms, 5)
            try:
                out = lammps_reference.time_snap(n_atoms, ranks, steps=steps, repeats=3)
            except (RuntimeError, OSError) as err:
                return {"unavailable": f"LAMMPS did not run ({str(err).splitlines()[0]})"}
            results[f"{n_atoms}/{ranks}"] = out["us_per_atom_step"]
            results["version"] = out.get("lammps_version", "?")
    return results


WORKERS = {
    "size": lambda args: measure_size(*map(int, args)),
    "elements": lambda args: measure_elements(*map(int, args)),
    "md": lambda args: measure_md(*map(int, args)),
    "compile": lambda args: measure_compile(),
}


def _in_fresh_process(worker: str, *args, env: dict | None = None):
    out = subprocess.run(
        [sys.executable, __file__, "--worker", worker, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env=None if env is None else {**os.environ, **env},
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def machine() -> str:
    import numba
    import torch

    cpu = platform.processor() or platform.machine()
    if Path("/proc/cpuinfo").exists():
        names = re.findall(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
        cpu = f"{names[0]} x {len(names)}" if names else cpu
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}; Python {platform.python_version()}, numba {numba.__version__}, "
        f"torch {torch.__version__}; load average before the run {load}"
    )


def table(rows, md, elements, compile_s, lammps) -> list[str]:
    lines = [
        "| atoms | threads | neighbour list | E+F | E+F+S | SNAP E+F | E+F / SNAP "
        "| peak RSS | cache load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        snap = lammps.get(f"{r['n_atoms']}/{r['threads']}")
        snap_cells = f"{snap:.1f} | {r['energy_forces_us'] / snap:.3f}" if snap else "n/a | n/a"
        lines.append(
            f"| {r['n_atoms']:,} | {r['threads']} | {r['neighbours_us']:.1f} "
            f"| {r['energy_forces_us']:.1f} | {r['energy_forces_stress_us']:.1f} | {snap_cells} "
            f"| {r['peak_rss_mb']:,.0f} MB | {r['first_call_s']:.1f} s |"
        )
    lines += ["", "MD through the ASE calculator (VelocityVerlet, 1 fs, skin 1 Å):", ""]
    lines += ["| atoms | threads | steps | list rebuilds | per step | in the kernel | overhead |"]
    lines += ["|---:|---:|---:|---:|---:|---:|---:|"]
    for m in md:
        lines.append(
            f"| {m['n_atoms']:,} | {m['threads']} | {m['steps']} | {m['neighbour_builds']} "
            f"| {m['step_us']:.1f} | {m['kernel_us']:.1f} | {m['overhead_percent']:.0f} % |"
        )
    lines += ["", "Elements (2,000 atoms, one thread, E+F):", ""]
    lines += ["| elements | functions per element | E+F | per function |", "|---|---:|---:|---:|"]
    for e in elements:
        lines.append(
            f"| {e['elements']} | {e['functions']} | {e['us']:.1f} "
            f"| {1000 * e['us'] / e['functions']:.0f} ns |"
        )
    lines += [
        "",
        f"JIT compilation (empty numba cache, then cached on disk): {compile_s['energy_s']:.0f} s "
        f"for the first energy-only evaluation, {compile_s['forces_s']:.0f} s more for the "
        "first one with forces.",
    ]
    if "unavailable" in lammps:
        lines += ["", f"SNAP ratio unavailable: {lammps['unavailable']}."]
    else:
        lines += ["", f"SNAP: LAMMPS {lammps.get('version', '?')}, ranks = threads."]
    return lines


def write_markdown(path: Path, command: str, lines: list[str], about: str) -> None:
    """Replace (or append) the section of this benchmark in the markdown file `path`."""
    body = [
        f"## {SECTION}",
        "",
        f"`{command}`",
        "",
        about,
        "",
        "Microseconds of wall time per atom and step, median of the repeats "
        "(see the docstring of benchmarks/speed.py for what each column times).",
        "",
        *lines,
        "",
    ]
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    section = "\n".join(body) + "\n"
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text + section
    path.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 atoms, fewer repeats")
    parser.add_argument("--markdown", type=Path, help="write the results section here")
    parser.add_argument("--no-lammps", action="store_true", help="skip the SNAP reference")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker[0]](args.worker[1:])))
        return
    about = machine()
    sizes = SIZES[:1] if args.quick else SIZES
    rows = [
        _in_fresh_process("size", n_atoms, threads, 3 if args.quick or n_atoms > 20_000 else 7)
        for n_atoms in sizes
        for threads in THREADS
    ]
    md = [_in_fresh_process("md", 2000, t, 20 if args.quick else 200) for t in THREADS]
    elements = _in_fresh_process("elements", 2000, 3 if args.quick else 7)
    with tempfile.TemporaryDirectory() as cache:
        compile_s = _in_fresh_process("compile", env={"NUMBA_CACHE_DIR": cache})
    if args.no_lammps:
        lammps = {"unavailable": "skipped (--no-lammps)"}
    else:
        lammps = measure_lammps(sizes, THREADS, args.quick)
    lines = table(rows, md, elements, compile_s, lammps)
    print("\n".join(lines))
    if args.markdown:
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python benchmarks/speed.py", *given])
        write_markdown(args.markdown, command, lines, about)


if __name__ == "__main__":
    main()
