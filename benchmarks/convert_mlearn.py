"""Convert mlearn JSON data (Zuo et al., J. Phys. Chem. A 124, 731 (2020)) to extxyz.

    python benchmarks/convert_mlearn.py MLEARN_DATA/Si examples/si

reads MLEARN_DATA/Si/training.json and test.json (the `data/<element>` folders of the
authors' mlearn repository) and writes train.xyz and test.xyz with energy (eV),
forces (eV/Å) and stress in ASE's convention (eV/Å^3, tensile positive, Voigt order
xx yy zz yz xz xy; mlearn's virial_stress is VASP's kbar with compressive positive in
order xx yy zz xy yz zx, see mlpot.data.mlearn). The frame info keeps the mlearn
group, description and tag. Re-running it gives the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import ase.io

from mlpot.data import read_mlearn, validate_frames

SETS = {"training.json": "train.xyz", "test.json": "test.xyz"}


def convert(source: Path, target: Path) -> list[int]:
    """Convert one mlearn JSON file to extxyz; returns the atom count of each frame."""
    frames = read_mlearn(source)
    validate_frames(frames)
    images = []
    for frame in frames:
        atoms = frame.to_atoms()
        for key in ("source", "weight"):  # reader bookkeeping, not data
            del atoms.info[key]
        images.append(atoms)
    ase.io.write(target, images, format="extxyz")
    return [len(frame) for frame in frames]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with training.json and test.json")
    parser.add_argument("target", type=Path, help="folder for train.xyz and test.xyz")
    args = parser.parse_args()
    args.target.mkdir(parents=True, exist_ok=True)
    for name, output in SETS.items():
        counts = convert(args.source / name, args.target / output)
        print(f"{args.target / output}: {len(counts)} structures, {sum(counts)} atoms")


if __name__ == "__main__":
    main()
