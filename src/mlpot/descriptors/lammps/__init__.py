"""Descriptors computed by LAMMPS itself (in-process), so that a model trained on them runs
unchanged in LAMMPS: the SNAP bispectrum of `pair_style mliap ... descriptor sna`.

Importing this package is cheap; LAMMPS is loaded on first use.
"""

from mlpot.descriptors.lammps.settings import SnapSettings, n_bispectrum

__all__ = ["SnapSettings", "n_bispectrum"]
