"""CPU cost of one energy + forces evaluation: mlpot's equivariant model next to MACE and
mlpot's descriptor model.

    python benchmarks/equivariant_cost.py --data ../shared/data/mlearn \
        --mace-python /work/bench-mace/bin/python --threads 1 2 --repeats 5 [--profile]

Structure: diamond Si (a = 5.43 Å), the two-atom primitive cell repeated 10 x 10 x 10 (2,000
atoms), every coordinate rattled by a Gaussian of 0.05 Å; each call on freshly displaced
positions (0.001 Å), so nothing is cached but the descriptor calculator's neighbour list
(built with a skin, as in MD).

Models, all with random weights (the cost does not depend on their values), cutoff 5 Å for the
equivariant ones (28 neighbours per atom; --cutoffs 5 6 measures each at both cutoffs, with the
cell's neighbour count at each as the models' normaliser), float64 or --dtype float32 for the
equivariant ones (the descriptor model stays float64):
- mlpot equivariant: `EquivariantSettings` as given by --channels (default settings otherwise:
  l_max 3, scalar node features between 2 layers, correlation 3, radial MLP 8-64-64 shared by
  the layers), evaluated as the model-family seam will: vesin neighbour pairs,
  `graph_energies`, autograd to the pair vectors, `forces_from_pair_gradients`;
- MACE (mace-torch, `mace.modules.MACE` through its `MACECalculator`): the settings of
  `mace_run_train` (RealAgnosticResidualInteractionBlock, max_ell 3, correlation 3, 2
  interactions, 8 Bessel functions, polynomial cutoff p = 5, radial MLP [64, 64, 64], readout
  MLP 16x0e) with hidden irreps from --mace (128x0e is MACE-MP-0 "small"; 32x0e the size of
  mlpot's default); it runs in its own environment (--mace-python; mace-torch is never a
  dependency of mlpot) in a child process that this script drives call by call;
- mlpot descriptor: the default recipe for the Si training data (`mlpot.training.run.
  build_model`: cutoff from the 50th neighbour, 6.5 Å) through `MlpotCalculator`.

The models are called in turn, interleaved, `--repeats` times per thread count; the table gives
the median wall time per atom. --profile adds where the time of one call goes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ATOMS_PER_EDGE = 10  # primitive cells per edge: 2 x 10^3 atoms
RATTLE = 0.05  # Å
CUTOFFS = (5.0,)  # Å, the equivariant models'
MACE_DEFAULT = ("32x0e", "128x0e")
REPLY = "@reply"  # prefix of the MACE child's answers on its stdout


def silicon(seed: int = 0):
    """The rattled 2,000-atom diamond Si cell (ASE Atoms)."""
    from ase.build import bulk

    atoms = bulk("Si", "diamond", a=5.43).repeat(ATOMS_PER_EDGE)
    atoms.rattle(stdev=RATTLE, seed=seed)
    return atoms


def mean_neighbours(cutoff: float) -> float:
    """Neighbours within `cutoff` (Å) per atom of the rattled cell (the models' normaliser)."""
    from ase.neighborlist import neighbor_list

    atoms = silicon()
    return len(neighbor_list("i", atoms, cutoff)) / len(atoms)


def displacer(atoms, seed: int):
    """A function that moves every atom of `atoms` by a fresh 0.001 Å Gaussian."""
    rng = np.random.default_rng(seed)

    def displace() -> None:
        atoms.positions = atoms.positions + rng.normal(0.0, 0.001, atoms.positions.shape)

    return displace


# ---- MACE, in its own environment (child process) ----


def mace_model(hidden: str, cutoff: float):
    import torch
    from e3nn import o3
    from mace import modules

    block = modules.interaction_classes["RealAgnosticResidualInteractionBlock"]
    return modules.MACE(
        r_max=cutoff,
        num_bessel=8,
        num_polynomial_cutoff=5,
        max_ell=3,
        interaction_cls=block,
        interaction_cls_first=block,
        num_interactions=2,
        num_elements=1,
        hidden_irreps=o3.Irreps(hidden),
        MLP_irreps=o3.Irreps("16x0e"),
        atomic_energies=np.array([-4.0]),
        avg_num_neighbors=mean_neighbours(cutoff),
        atomic_numbers=[14],
        correlation=3,
        gate=torch.nn.functional.silu,
        radial_MLP=[64, 64, 64],
    )


def serve_mace(models: list[str], threads: int, dtype: str) -> None:
    """Child: build the MACE models (each named HIDDEN@CUTOFF), then one E+F per line
    "run NAME" on stdin, answering the wall time in seconds."""
    import torch
    from mace.calculators import MACECalculator

    torch.set_num_threads(threads)
    torch.set_default_dtype(getattr(torch, dtype))
    torch.manual_seed(0)
    calculators, structures = {}, {}
    for name in models:
        hidden, cutoff = name.split("@")
        model = mace_model(hidden, float(cutoff))
        calc = MACECalculator(models=model, device="cpu", default_dtype=dtype)
        n_parameters = sum(p.numel() for p in model.parameters())
        calculators[name] = (calc, n_parameters)
        atoms = silicon()
        structures[name] = (atoms, displacer(atoms, 1))
    print(REPLY, json.dumps({h: n for h, (_, n) in calculators.items()}), flush=True)
    for line in sys.stdin:
        command, hidden = line.split()
        if command == "quit":
            return
        atoms, displace = structures[hidden]
        displace()
        atoms.calc = calculators[hidden][0]
        start = time.perf_counter()
        if command == "profile":
            with torch.profiler.profile() as prof:
                atoms.get_forces()
            print(
                prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10),
                file=sys.stderr,
                flush=True,
            )
        else:
            atoms.get_forces()
        print(REPLY, time.perf_counter() - start, flush=True)


class MaceClient:
    """The parent's side: one MACE model per HIDDEN@CUTOFF, called one E+F at a time."""

    def __init__(self, python: str, models: list[str], threads: int, dtype: str) -> None:
        env = {**os.environ, "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"}  # e3nn 0.4.4's constants
        command = [python, __file__, "--serve-mace", *models, "--threads", str(threads)]
        command += ["--dtype", dtype]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self.parameters = json.loads(self._reply())

    def call(self, hidden: str, command: str = "run") -> float:
        self.process.stdin.write(f"{command} {hidden}\n")
        self.process.stdin.flush()
        return float(self._reply())

    def _reply(self) -> str:
        """The child's next answer (other lines on its stdout, from MACE, are skipped)."""
        for line in self.process.stdout:
            if line.startswith(REPLY):
                return line[len(REPLY) :]
        raise RuntimeError("the MACE process ended; see its messages above")

    def close(self) -> None:
        self.process.stdin.write("quit -\n")
        self.process.stdin.close()
        self.process.wait()


# ---- mlpot's models ----


def equivariant_case(channels: int, dtype: str = "float64", cutoff: float = CUTOFFS[0]):
    """(evaluate E+F once, n_parameters, (model, atoms)) for mlpot's equivariant model."""
    import torch

    from mlpot.models.equivariant import EquivariantPotential, EquivariantSettings

    torch.manual_seed(0)
    settings = EquivariantSettings(channels=channels, average_neighbours=mean_neighbours(cutoff))
    model = EquivariantPotential(("Si",), cutoff, settings, getattr(torch, dtype))
    atoms = silicon()
    displace = displacer(atoms, 1)

    def evaluate() -> None:
        displace()
        equivariant_forces(model, atoms)

    return evaluate, sum(p.numel() for p in model.parameters()), (model, atoms)


def equivariant_forces(model, atoms) -> np.ndarray:
    """(N, 3) eV/Å: pairs, atomic energies, autograd to the pair vectors, forces."""
    import torch

    from mlpot.models.forces import forces_from_pair_gradients
    from mlpot.neighbours.pairs import neighbour_pairs

    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, model.cutoff)
    first, second = torch.from_numpy(pairs.first), torch.from_numpy(pairs.second)
    dtype = model.reference_energies.dtype
    vectors = torch.from_numpy(pairs.vectors).to(dtype).requires_grad_(True)
    species = torch.zeros(len(atoms), dtype=torch.long)
    energy = model.graph_energies(species, first, second, vectors).sum()
    (gradients,) = torch.autograd.grad(energy, vectors)
    return forces_from_pair_gradients(gradients, first, second, len(atoms)).numpy()


def descriptor_case(data: Path):
    """(evaluate E+F once, n_parameters, cutoff) for mlpot's default descriptor recipe."""
    from mlpot.calculators import MlpotCalculator
    from mlpot.config.schema import TrainConfig
    from mlpot.data import read_frames
    from mlpot.training.run import build_model

    source = data / "Si" / "training.json"
    config = TrainConfig(data={"train": [{"name": "Si", "files": [str(source)]}]})
    model = build_model(config, read_frames(source))
    calc = MlpotCalculator(model)
    atoms = silicon()
    displace = displacer(atoms, 1)

    def evaluate() -> None:
        displace()
        atoms.calc = calc
        atoms.get_forces()

    return evaluate, sum(p.numel() for p in model.parameters()), model.sfset.cutoff


# ---- measurement ----


def measure(args, threads: int) -> list[dict]:
    """Rows (name, parameters, cutoff, µs/atom) for one thread count, calls interleaved."""
    import numba
    import torch

    torch.set_num_threads(threads)
    numba.set_num_threads(threads)
    models = [f"{hidden}@{cutoff}" for cutoff in args.cutoffs for hidden in args.mace]
    mace = MaceClient(args.mace_python, models, threads, args.dtype)
    cases, same_size_mace = {}, {}
    for cutoff in args.cutoffs:
        for channels in args.channels:
            evaluate, n, _ = equivariant_case(channels, args.dtype, cutoff)
            cases[f"mlpot equivariant {channels}x0e, {cutoff} Å"] = (evaluate, n, cutoff)
            same_size_mace[f"mlpot equivariant {channels}x0e, {cutoff} Å"] = (
                f"MACE {channels}x0e, {cutoff} Å"
            )
        for hidden in args.mace:
            name = f"{hidden}@{cutoff}"
            call = partial(mace.call, name)
            cases[f"MACE {hidden}, {cutoff} Å"] = (call, mace.parameters[name], cutoff)
    if args.data is not None:
        evaluate, n, cutoff = descriptor_case(args.data)
        cases["mlpot descriptor (default recipe)"] = (evaluate, n, cutoff)
    for evaluate, _, _ in cases.values():  # warm up
        evaluate()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, (evaluate, _, _) in cases.items():
            start = time.perf_counter()
            child_seconds = evaluate()
            wall = time.perf_counter() - start
            times[name].append(child_seconds if child_seconds is not None else wall)
    if args.profile:
        for name in models:
            mace.call(name, "profile")
    mace.close()
    n_atoms = ATOMS_PER_EDGE**3 * 2
    return [
        {
            "model": name,
            "threads": threads,
            "parameters": n,
            "cutoff": cutoff,
            "us_per_atom": 1e6 * statistics.median(times[name]) / n_atoms,
            "same_size_mace": same_size_mace.get(name),
        }
        for name, (_, n, cutoff) in cases.items()
    ]


def stage_profile(channels: int, dtype: str) -> None:
    """Where one E+F of mlpot's equivariant model goes: forward stages, backward, and ops."""
    import torch

    _, _, (model, atoms) = equivariant_case(channels, dtype)
    equivariant_forces(model, atoms)
    stages = {"harmonics": model.harmonics, "radial": model.radial}
    for k, layer in enumerate(model.layers):
        stages |= {f"layer {k} density": layer.density, f"layer {k} product": layer.product}
    seconds: dict[str, float] = {}
    for name, module in stages.items():
        module.register_forward_pre_hook(partial(_clock, seconds, name, -1.0))
        module.register_forward_hook(partial(_clock, seconds, name, 1.0))
    with torch.profiler.profile() as prof:
        start = time.perf_counter()
        equivariant_forces(model, atoms)
        total = time.perf_counter() - start
    print(f"\nmlpot equivariant {channels}x0e, one E+F: {total:.2f} s")
    for name, s in seconds.items():
        print(f"  forward {name}: {s:.3f} s")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))


def _clock(seconds: dict, name: str, sign: float, *_) -> None:
    """A forward hook: seconds[name] = end - start."""
    seconds[name] = seconds.get(name, 0.0) * (sign > 0) + sign * time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-mace", nargs="+", metavar="HIDDEN", help=argparse.SUPPRESS)
    parser.add_argument("--mace-python", default="/work/bench-mace/bin/python")
    parser.add_argument("--mace", nargs="+", default=list(MACE_DEFAULT), metavar="HIDDEN")
    parser.add_argument("--channels", nargs="+", type=int, default=[32, 128])
    parser.add_argument("--data", type=Path, help="mlearn data (adds the descriptor model)")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cutoffs", nargs="+", type=float, default=list(CUTOFFS))
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.serve_mace:
        serve_mace(args.serve_mace, args.threads[0], args.dtype)
        return
    rows = [row for threads in args.threads for row in measure(args, threads)]
    print("| model | threads | parameters | cutoff Å | E+F µs/atom | MACE same size / this |")
    print("|---|---:|---:|---:|---:|---:|")
    cost = {(row["model"], row["threads"]): row["us_per_atom"] for row in rows}
    for row in rows:
        mace = cost.get((row["same_size_mace"], row["threads"]))
        ratio = f"{mace / row['us_per_atom']:.2f}" if mace else ""
        print(
            f"| {row['model']} | {row['threads']} | {row['parameters']:,} | {row['cutoff']:.1f} "
            f"| {row['us_per_atom']:.0f} | {ratio} |"
        )
    if args.profile:
        for channels in args.channels:
            stage_profile(channels, args.dtype)


if __name__ == "__main__":
    main()
