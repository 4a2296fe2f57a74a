"""Which units an n2p2 potential's files are in, judged from the files themselves.

n2p2 files name no unit. A potential trained in Bohr and Hartree read as Å and eV predicts
nonsense without any error, so the reader looks at two signs of lengths in Bohr: a cutoff
longer than Å cutoffs ever are, and radial descriptors whose training mean (scaling.data)
implies a density of atoms far below that of any solid or liquid when the lengths are read
as Å (their values do not depend on the unit, the volume they sample does).
"""

from __future__ import annotations

import numpy as np

from mlpot.descriptors.symmetry_functions import RadialG2

BOHR = 0.52917721  # Å
LARGE_CUTOFF = 9.0  # file units: Å cutoffs are 4-8, Bohr cutoffs 10-16
LOW_DENSITY = 0.012  # atoms/Å^3: below alkali metals; Si read as Bohr gives 0.007


def bohr_evidence(
    functions: dict[str, list], statistics: dict[str, np.ndarray]
) -> tuple[str | None, str | None]:
    """(strong, weak) reasons to believe the lengths are in Bohr, each None when absent.

    strong: the density the radial descriptors imply; weak: a long cutoff.
    functions: each element's symmetry functions in file units; statistics: each element's
    (F, 4) min, max, mean, sigma of the functions (scaling.data), in the same order.
    """
    cutoff = max(sf.cutoff for sfs in functions.values() for sf in sfs)
    weak = None
    if cutoff > LARGE_CUTOFF:
        weak = f"the cutoff is {cutoff:g}: as Å unusually long, as Bohr {cutoff * BOHR:.3g} Å"
    density = implied_density(functions, statistics)
    strong = None
    if density < LOW_DENSITY:
        strong = (
            f"the radial descriptors' training means imply {density:.2g} atoms/Å^3 with "
            f"lengths in Å (solids and liquids: 0.01-0.2), {density / BOHR**3:.2g} in Bohr"
        )
    return strong, weak


def implied_density(functions: dict[str, list], statistics: dict[str, np.ndarray]) -> float:
    """The largest number density (1/file unit^3) that any radial function's mean implies for
    a uniform arrangement of neighbours; inf without radial functions with a recorded range
    (a potential exported without training data has none)."""
    densities = [
        float(statistics[element][row, 2]) / _volume_weight(sf)
        for element, sfs in functions.items()
        for row, sf in enumerate(sfs)
        if isinstance(sf, RadialG2) and _recorded(statistics[element][row])
    ]
    return max(densities, default=np.inf)


def _recorded(row: np.ndarray) -> bool:
    """Whether a scaling.data row (min, max, mean, sigma) comes from training data."""
    return bool(np.isfinite(row).all() and row[1] > row[0] and row[3] > 0)


def _volume_weight(sf: RadialG2) -> float:
    """integral of exp(-eta (r - rs)^2) f_c(r) 4 pi r^2 dr over 0..r_c (cosine cutoff)."""
    r = np.linspace(0.0, sf.cutoff, 2001)
    f = np.exp(-sf.eta * (r - sf.rs) ** 2) * 0.5 * (np.cos(np.pi * r / sf.cutoff) + 1.0)
    return float(np.trapezoid(f * 4.0 * np.pi * r**2, r))
