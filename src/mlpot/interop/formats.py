"""Registry of potential formats: each module offers read_potential(path) and write_potential.

A format module exposes
    read_potential(path) -> a Potential
    write_potential(model, path) -> list[Path]        (the files written)
and writes the models whose capabilities include export_capability(format).
and is imported only when its format is used.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from mlpot.errors import MlpotError

# format name -> module
FORMATS: dict[str, str] = {
    "n2p2": "mlpot.interop.n2p2",
    "simple-nn": "mlpot.interop.simple_nn",
    "mliap": "mlpot.interop.lammps_mliap",
    "lammps": "mlpot.interop.lammps_plugin",
}


def _module(fmt: str):
    if fmt not in FORMATS:
        raise MlpotError(f"unknown potential format '{fmt}'; choose one of {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[fmt])


def read_potential(fmt: str, path: str | Path, **options):
    """The mlpot model stored at `path` in format `fmt`; options go to the format's reader
    (n2p2: units, the FileUnits of a potential not in Å and eV)."""
    return _module(fmt).read_potential(Path(path), **options)


def write_potential(
    fmt: str, model, path: str | Path, fidelity: str | None = None
) -> list[Path]:
    """Write `model` to `path` in format `fmt`; returns the files written. A multi-fidelity
    model is written as it predicts at `fidelity` (None: its target), its one-hot fidelity
    input folded into the first layers' biases (Potential.at_fidelity)."""
    from mlpot.models.potential import export_capability

    module = _module(fmt)
    model.require(export_capability(fmt), f"export to the {fmt} format")
    return module.write_potential(model.at_fidelity(fidelity), Path(path))
