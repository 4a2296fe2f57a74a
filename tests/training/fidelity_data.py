"""Two fidelities of Al-Ni labels for the multi-fidelity tests: EMT (the target, "high") and
EMT plus a smooth Morse pair term and per-element offsets ("low"), written as extxyz files."""

from __future__ import annotations

from pathlib import Path

from ase.calculators.morse import MorsePotential
from emt_alni import emt_frames

from mlpot.data.frame import Frame

OFFSETS = {13: 0.7, 28: -1.3}  # eV per atom of the low fidelity, by atomic number


def low_fidelity(frames: list[Frame]) -> list[Frame]:
    """Copies of EMT frames relabelled: + Morse pair term + per-element offsets."""
    morse = MorsePotential(epsilon=0.08, r0=2.6, rho0=5.0, rcut1=4.0, rcut2=4.6)
    relabelled = []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = morse
        offset = sum(OFFSETS[int(z)] for z in frame.numbers)
        relabelled.append(Frame(
            numbers=frame.numbers, positions=frame.positions, cell=frame.cell, pbc=frame.pbc,
            energy=frame.energy + atoms.get_potential_energy() + offset,
            forces=frame.forces + atoms.get_forces(), source=frame.source,
        ))
    return relabelled


def write(frames: list[Frame], path: Path) -> Path:
    from ase.io import write as ase_write

    ase_write(path, [f.to_atoms() for f in frames], format="extxyz")
    return path


def fidelity_files(directory: Path, n_high: int = 6, n_low: int = 40) -> dict[str, Path]:
    """high.xyz (EMT, n_high frames), low.xyz (the low fidelity, n_low other frames) and
    test.xyz (EMT, 16 frames unlike both)."""
    high = emt_frames(n_high, seed=1)
    low = low_fidelity(emt_frames(n_low, seed=2))
    test = emt_frames(16, seed=3)
    return {
        "high": write(high, directory / "high.xyz"),
        "low": write(low, directory / "low.xyz"),
        "test": write(test, directory / "test.xyz"),
    }
