"""--units: the units of an n2p2 potential's files, for every command that takes a model."""

from __future__ import annotations

import argparse
from typing import Any

UNITS = ("angstrom-ev", "bohr-hartree")


def add_units_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--units", choices=UNITS,
        help="units of an n2p2 potential's files, where a model is an n2p2 directory "
             "(default: angstrom-ev unless the files look like bohr-hartree, which is refused)",
    )


def file_units(name: str | None) -> Any:
    """The FileUnits named by --units, or None."""
    from mlpot.data.n2p2_data import ANGSTROM_EV, BOHR_HARTREE

    named = {"angstrom-ev": ANGSTROM_EV, "bohr-hartree": BOHR_HARTREE}
    return None if name is None else named[name]
