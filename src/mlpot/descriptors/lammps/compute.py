"""Running LAMMPS's `compute snap` on one structure in this process.

With `bikflag 1 dgradflag 1` the compute's global array holds, for M atoms,
    rows 0..M-1:        [0, 0, 0, B_i]                                 (bispectrum of atom i)
    row M + 3 (j M + i) + a:  [i, j, a, -dB_i/dR_j,a]                  (j's position, axis a)
    last row:           the reference energy (unused)
with dB_i/dR_j summed over the periodic images of j. With dgradflag 0 the first M rows hold
B_i in the column block of atom i's type (and the rest is not read here).
"""

from __future__ import annotations

import numpy as np

from mlpot.descriptors.lammps.box import LammpsBox
from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.errors import MlpotError

COMPUTE_ID = "mlpot_snap"
MAX_ARRAY_BYTES = 4e9  # compute snap with dgradflag holds two dense (M + 3 M^2) x (F + 3) arrays


def compute_snap_command(settings: SnapSettings, gradients: bool) -> str:
    """The `compute snap` line matching `descriptor sna` with these settings (one LAMMPS type
    per element, in the order of settings.elements)."""
    s = settings
    words = ["compute", COMPUTE_ID, "all", "snap", repr(s.rcutfac), repr(s.rfac0), str(s.twojmax)]
    words += [repr(r) for r in s.radelem] + [repr(w) for w in s.wj]
    words += ["rmin0", repr(s.rmin0)]
    flags = [flag for flag in SnapSettings.FLAGS if flag != "chemflag"]
    words += [f"{flag} {int(getattr(s, flag))}" for flag in flags]
    if s.chemflag:
        n = len(s.elements)
        words += ["chem", str(n)] + [str(e) for e in range(n)]
    words += ["switchinnerflag 0", "bikflag 1", f"dgradflag {int(gradients)}"]
    return " ".join(words)


def run_compute_snap(
    lmp, settings: SnapSettings, box: LammpsBox, types: np.ndarray, gradients: bool
) -> np.ndarray:
    """The compute's global array (a copy) for atoms of element indices `types` (M,) in `box`."""
    n_atoms = len(types)
    if gradients:
        size = 2 * (n_atoms + 3 * n_atoms**2) * (settings.max_features + 3) * 8
        if size > MAX_ARRAY_BYTES:
            raise MlpotError(
                f"{n_atoms} atoms need {size / 1e9:.1f} GB for LAMMPS's per-pair bispectrum "
                "gradients; use smaller structures here, and run large systems in LAMMPS itself "
                "(mlpot.interop.write_potential('mliap', ...))"
            )
    from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY

    run_commands(
        lmp,
        [
            "clear",
            "units metal",
            "atom_style atomic",
            "atom_modify map array",
            f"boundary {box.boundary}",
            f"region box {box.region} units box",
            f"create_box {len(settings.elements)} box",
            "mass * 1.0",
        ],
    )
    created = lmp.create_atoms(
        n_atoms,
        list(range(1, n_atoms + 1)),
        (np.asarray(types) + 1).tolist(),
        box.positions.ravel().tolist(),
        shrinkexceed=True,
    )
    if created != n_atoms or lmp.get_natoms() != n_atoms:
        raise MlpotError(f"LAMMPS kept {lmp.get_natoms()} of {n_atoms} atoms of the structure")
    run_commands(
        lmp,
        [
            f"pair_style zero {settings.cutoff + 0.5!r}",
            "pair_coeff * *",
            compute_snap_command(settings, gradients),
            f"thermo_style custom step c_{COMPUTE_ID}[1][1]",
            "run 0",
        ],
    )
    array = lmp.numpy.extract_compute(COMPUTE_ID, LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY)
    return np.array(array, dtype=np.float64, copy=True)


def run_commands(lmp, lines: list[str]) -> None:
    """Run LAMMPS input lines; a LAMMPS error becomes an MlpotError with LAMMPS's message."""
    try:
        lmp.commands_string("\n".join(lines))
    except Exception as err:  # the lammps module raises plain Exception
        message = str(err).splitlines()[0] if str(err) else repr(err)
        raise MlpotError(f"LAMMPS: {message}") from None
