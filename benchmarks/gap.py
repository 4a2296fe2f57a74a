"""GAP on the Zuo et al. (2020) data: mlpot's GAP family beside QUIP's gap_fit.

    nice -n 10 python benchmarks/gap.py --data ../shared/data/mlearn --element Si \
        --n-sparse 100 200 400 [--quip /path/to/venv/bin] [--train-every 1] [--rounds 5] \
        [--repeat 2] [--seeds 0 1 2] [--same-sparse]

Both fit the same training frames with the same settings (SOAP l_max 8, n_max 8, atom_sigma
0.5, zeta 4, cutoff --cutoff with a 1 Å transition for QUIP and --width for featomic, CUR
sparse points per element, sigmas energy 0.001 eV/atom, force --force-sigma (0.1) eV/Å, virial
0.05 eV/atom; no two-body term unless --two-body, since the Zuo GAP is SOAP only). Reports
test MAE/RMSE per group (energy meV/atom, forces eV/Å), fit wall time and peak memory (each
fit in a child process), and E+F cost per atom-step (median over repeated calls on one test
structure with its atoms moved between calls, one thread; wall and process CPU time,
benchmarks/gap_speed.py).
With --rounds R the two codes' timings alternate R times (QUIP's in a child process each round)
and the report gives the medians over rounds and the median of the per-round ratios; --repeat
k times that structure repeated k x k x k; --keep DIR keeps the fitted models and the timed
structure (for benchmarks/gap_speed.py). Both codes choose their sparse points at random
(randomised CUR): --seeds fits each once per seed (mlpot's fit seed s, gap_fit's rnd_seed
s + 1) and --same-sparse also fits mlpot on the sparse points gap_fit chose (its
print_sparse_index), which separates the choice of points from the model. --defaults fits
mlpot with the `gap` family's config defaults instead (docs/gap.md; their sparse-point
count replaces --n-sparse), each --set KEY=VALUE (soap.cutoff=5, sigma.force=0.02) changing
one of them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def sigmas(args) -> tuple[float, float, float]:
    """Energy (eV/atom), force (eV/Å) and virial (eV/atom) sigmas of both codes."""
    return 0.001, args.force_sigma, 0.05


def frames_of(path: Path, every: int):
    from mlpot.data import read_mlearn

    return read_mlearn(path)[::every]


def fit_mlpot(args, n_sparse: int, out: Path) -> None:
    """Child process: fit, save the model, print fit time and peak memory as JSON."""
    import torch

    from mlpot.models.gap import sparse
    from mlpot.models.gap.config import build_gap, fit_settings
    from mlpot.models.gap.fit import FitSettings, fit_gap
    from mlpot.models.gap.kernels import TwoBodySettings
    from mlpot.models.gap.model import GapPotential
    from mlpot.models.gap.soap import SoapSettings
    from mlpot.models.serialization import save_model

    torch.set_num_threads(1)
    frames = frames_of(args.data / args.element / "training.json", args.train_every)
    if args.defaults:  # the family's config defaults, as `mlpot train` builds them
        section = defaults_section(args.set)
        model = build_gap(section, SimpleNamespace(elements=(args.element,), fidelities=None))
        settings = fit_settings(section, args.seeds[0])
    else:
        soap = SoapSettings(args.cutoff, args.width, 8, 8, 0.5, args.l_weight)
        two_body = TwoBodySettings(cutoff=args.cutoff, n_points=15 if args.two_body else 0)
        model = GapPotential((args.element,), soap, two_body, zeta=4, delta=args.delta)
        settings = FitSettings(n_sparse, "cur", *sigmas(args), seed=args.seeds[0])
    if args.sparse_index:  # gap_fit's choice: 1-based indices into the atoms of all frames
        given = np.sort(np.loadtxt(args.sparse_index, dtype=np.int64).ravel() - 1)
        settings = replace(settings, method="given")
        sparse.SELECTORS["given"] = lambda x, n, exclude, rng: given
    start = time.perf_counter()
    fit_gap(model, settings, frames)
    seconds = time.perf_counter() - start
    save_model(model, out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fit_s": seconds, "peak_MiB": peak, "frames": len(frames)}))


def defaults_section(overrides: list[str]):
    """The `gap` family's config section: its defaults with `KEY.PATH=VALUE` overrides."""
    from zuo import apply_overrides

    from mlpot.config.gap_section import GapConfig

    return GapConfig.model_validate(apply_overrides({"family": "gap"}, overrides))


def errors(calc, frames) -> dict[str, tuple[float, float, float, float]]:
    """group -> (energy MAE, RMSE meV/atom, force MAE, RMSE eV/Å), and "all"."""
    rows: dict[str, list] = {}
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        de = (atoms.get_potential_energy() - frame.energy) / len(frame) * 1000
        df = (atoms.get_forces() - frame.forces).ravel()
        for key in (frame.group, "all"):
            rows.setdefault(key, []).append((de, df))
    out = {}
    for key, items in rows.items():
        e = np.array([i[0] for i in items])
        f = np.concatenate([i[1] for i in items])
        out[key] = (np.abs(e).mean(), np.sqrt((e**2).mean()), np.abs(f).mean(),
                    np.sqrt((f**2).mean()))
    return out


def run_child(command: list[str]) -> dict:
    """Run a fit in a child process; its JSON line, and its wall time and peak memory."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command[0]} failed:\n{done.stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    return {"wall_s": wall, "children_peak_MiB": usage, **info}


def write_extxyz(frames, path: Path) -> None:
    """Frames for QUIP: dft_energy, dft_force, dft_virial (QUIP's virial = -stress V), group."""
    from ase.io import write

    images = []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.info["dft_energy"] = frame.energy
        atoms.info["group"] = frame.group
        atoms.arrays["dft_force"] = np.asarray(frame.forces)
        s = frame.stress  # ASE Voigt xx yy zz yz xz xy, eV/Å^3
        full = np.array([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])
        atoms.info["dft_virial"] = -full * atoms.get_volume()
        images.append(atoms)
    write(path, images, format="extxyz")


def fit_quip(args, n_sparse: int, workdir: Path, seed: int) -> dict:
    """gap_fit with the same settings, in a child process (its sparse points' indices in
    workdir/sparse_index.dat)."""
    frames = frames_of(args.data / args.element / "training.json", args.train_every)
    write_extxyz(frames, workdir / "train.xyz")
    gap = (f"soap l_max=8 n_max=8 atom_sigma=0.5 zeta=4 cutoff={args.cutoff} "
           f"cutoff_transition_width={args.width} central_weight=1.0 n_sparse={n_sparse} "
           f"delta={args.delta} covariance_type=dot_product sparse_method=cur_points "
           f"print_sparse_index={workdir / 'sparse_index.dat'}")
    sigma = " ".join(str(s) for s in sigmas(args))
    command = [str(args.quip / "gap_fit"), f"at_file={workdir / 'train.xyz'}",
               f"gap={{{gap}}}", f"default_sigma={{{sigma} 0.0}}",
               "energy_parameter_name=dft_energy", "force_parameter_name=dft_force",
               "virial_parameter_name=dft_virial", "e0_method=average",
               f"gp_file={workdir / 'gap.xml'}", "sparse_jitter=1e-8", f"rnd_seed={seed + 1}"]
    return run_child(command)


QUIP_EVALUATION = """
import json, sys
import numpy as np
from ase.io import read
from quippy.potential import Potential
calc = Potential(param_filename=sys.argv[1])
rows = {}
for atoms in read(sys.argv[2], ":"):
    energy, forces, group = atoms.info["dft_energy"], atoms.arrays["dft_force"], atoms.info["group"]
    probe = atoms.copy()
    probe.calc = calc
    de = (probe.get_potential_energy() - energy) / len(atoms) * 1000
    df = (probe.get_forces() - forces).ravel()
    for key in (group, "all"):
        rows.setdefault(key, []).append((de, df.tolist()))
out = {}
for key, items in rows.items():
    e = np.array([i[0] for i in items]); f = np.concatenate([i[1] for i in items])
    out[key] = [abs(e).mean(), np.sqrt((e**2).mean()), abs(f).mean(), np.sqrt((f**2).mean())]
print(json.dumps({"errors": out}))
"""

def run_quip(args, *arguments: str) -> dict:
    """A Python command in QUIP's venv (one OpenMP thread); its last line as JSON."""
    done = subprocess.run([str(args.quip / "python"), *arguments],
                          capture_output=True, text=True, env={"OMP_NUM_THREADS": "1"})
    if done.returncode:
        raise SystemExit(f"QUIP evaluation failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def evaluate_quip(args, workdir: Path, test) -> dict:
    """Test errors of QUIP's model."""
    write_extxyz(test, workdir / "test.xyz")
    return run_quip(args, "-c", QUIP_EVALUATION, str(workdir / "gap.xml"),
                    str(workdir / "test.xyz"))


def interleaved_costs(args, calc, probe, workdir: Path) -> dict[str, list[dict]]:
    """E+F wall and CPU seconds per atom-step of mlpot (and QUIP with --quip), each the
    median of 7 calls (benchmarks/gap_speed.py), alternating for args.rounds rounds."""
    from ase.io import write
    from gap_speed import costs as timed

    write(workdir / "probe.xyz", probe, format="extxyz")
    speed = str(Path(__file__).with_name("gap_speed.py"))
    out: dict[str, list[dict]] = {"mlpot": [], "quip": []}
    for _ in range(args.rounds):
        out["mlpot"].append(timed(calc, probe.copy(), 7))
        if args.quip:
            out["quip"].append(run_quip(args, speed, str(workdir / "gap.xml"),
                                        str(workdir / "probe.xyz")))
    return out


def print_table(title: str, table) -> None:
    print(title)
    print("| group | E MAE / RMSE (meV/atom) | F MAE / RMSE (eV/Å) |\n|---|---|---|")
    for group, (emae, ermse, fmae, frmse) in sorted(table.items()):
        print(f"| {group} | {emae:.2f} / {ermse:.2f} | {fmae:.4f} / {frmse:.4f} |")
    sys.stdout.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--element", default="Si")
    parser.add_argument("--n-sparse", type=int, nargs="+", default=[200])
    parser.add_argument("--cutoff", type=float, default=5.0)
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--delta", type=float, default=1.0)
    parser.add_argument("--force-sigma", type=float, default=0.1,
                        help="eV/Å (gap_fit's usual 0.1; mlpot's default is 0.03)")
    parser.add_argument("--l-weight", type=float, default=1.0,
                        help="mlpot's SOAP channel weight (2l+1)^-w (QUIP has none)")
    parser.add_argument("--train-every", type=int, default=1, help="every k-th training frame")
    parser.add_argument("--two-body", action="store_true")
    parser.add_argument("--defaults", action="store_true",
                        help="mlpot with the gap family's config defaults (mlpot train's "
                             "model: {family: gap}); the settings options then apply to "
                             "gap_fit only")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="with --defaults: a changed setting, e.g. soap.cutoff=5")
    parser.add_argument("--quip", type=Path, help="bin directory holding gap_fit")
    parser.add_argument("--rounds", type=int, default=1, help="alternating E+F timing rounds")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time E+F on the largest test structure repeated k x k x k")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="fit once per seed (mlpot's seed, gap_fit's rnd_seed = seed + 1)")
    parser.add_argument("--same-sparse", action="store_true",
                        help="also fit mlpot on the sparse points gap_fit chose")
    parser.add_argument("--sparse-index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path,
                        help="copy the fitted models and the timed structure to this folder")
    parser.add_argument("--fit-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fit_child:
        fit_mlpot(args, args.n_sparse[0], args.fit_child)
        return
    if args.defaults:
        args.n_sparse = [defaults_section(args.set).n_sparse]
    report(args)


def report(args) -> None:
    import torch

    torch.set_num_threads(1)
    test = frames_of(args.data / args.element / "test.json", 1)
    probe = max(test, key=len).to_atoms(with_labels=False).repeat(args.repeat)
    for n_sparse in args.n_sparse:
        for k, seed in enumerate(args.seeds):
            with tempfile.TemporaryDirectory() as tmp:
                compare(args, n_sparse, seed, Path(tmp), test, probe, timed=k == 0)


def mlpot_child(args, n_sparse: int, seed: int, out: Path, sparse_index: Path | None) -> dict:
    command = [sys.executable, __file__, "--data", str(args.data), "--element", args.element,
               "--n-sparse", str(n_sparse), "--cutoff", str(args.cutoff),
               "--width", str(args.width), "--delta", str(args.delta),
               "--l-weight", str(args.l_weight), "--train-every", str(args.train_every),
               "--force-sigma", str(args.force_sigma),
               "--seeds", str(seed), "--fit-child", str(out)]
    command += ["--two-body"] * args.two_body + ["--defaults"] * args.defaults
    for item in args.set:
        command += ["--set", item]
    if sparse_index:
        command += ["--sparse-index", str(sparse_index)]
    return run_child(command)


def compare(args, n_sparse: int, seed: int, tmp: Path, test, probe, timed: bool) -> None:
    """One seed's fits of both codes (and mlpot on gap_fit's sparse points with
    --same-sparse): errors, fit time and memory; E+F costs where `timed`."""
    from mlpot.calculators import MlpotCalculator
    from mlpot.models.serialization import load_model

    out = tmp / "gap.pt"
    fit = mlpot_child(args, n_sparse, seed, out, None)
    calc = MlpotCalculator(load_model(out))
    table = errors(calc, test)
    quip_fit = fit_quip(args, n_sparse, tmp, seed) if args.quip else None
    costs = interleaved_costs(args, calc, probe, tmp) if timed else None
    cost = f", E+F {np.median([c['wall'] for c in costs['mlpot']]):.3f} ms/atom-step" if (
        costs) else ""
    print_table(f"## mlpot GAP, {args.element}, n_sparse {n_sparse}, seed {seed}: fit "
                f"{fit['fit_s']:.1f} s ({fit['frames']} frames), peak "
                f"{fit['peak_MiB']:.0f} MiB{cost}", table)
    if args.quip:
        quip = evaluate_quip(args, tmp, test)
        quip_cost = f", E+F {np.median([c['wall'] for c in costs['quip']]):.3f} ms/atom-step" if (
            costs) else ""
        print_table(f"## QUIP gap_fit, {args.element}, n_sparse {n_sparse}, rnd_seed "
                    f"{seed + 1}: fit {quip_fit['wall_s']:.1f} s, peak "
                    f"{quip_fit['children_peak_MiB']:.0f} MiB (largest child so far)"
                    f"{quip_cost}", quip["errors"])
        if args.same_sparse:
            same = tmp / "same.pt"
            mlpot_child(args, n_sparse, seed, same, tmp / "sparse_index.dat")
            print_table(f"## mlpot GAP on gap_fit's sparse points, {args.element}, n_sparse "
                        f"{n_sparse}, rnd_seed {seed + 1}",
                        errors(MlpotCalculator(load_model(same)), test))
    if costs:
        print_costs(costs, len(probe))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for path in [*tmp.glob("gap.*"), *tmp.glob("probe.xyz")]:
            shutil.copy(path, args.keep / path.name)


def print_costs(costs: dict[str, list[dict]], n_atoms: int) -> None:
    """Each round's E+F ms/atom-step (wall, CPU), and QUIP / mlpot as the median of the rounds'
    ratios."""
    for kind in ("wall", "cpu"):
        mlpot = np.array([c[kind] for c in costs["mlpot"]])
        line = f"E+F {kind} on {n_atoms} atoms, ms/atom-step per round: mlpot " + " ".join(
            f"{c:.3f}" for c in mlpot)
        if costs["quip"]:
            quip = np.array([c[kind] for c in costs["quip"]])
            line += ("; QUIP " + " ".join(f"{c:.3f}" for c in quip)
                     + f"; medians mlpot {np.median(mlpot):.3f}, QUIP {np.median(quip):.3f}"
                     + f", QUIP / mlpot {np.median(quip / mlpot):.2f} (rounds "
                     + " ".join(f"{r:.2f}" for r in quip / mlpot) + ")")
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
