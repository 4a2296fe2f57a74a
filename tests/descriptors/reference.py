"""Slow, obviously correct symmetry functions: explicit images, plain loops, formulas as written.

Only the tests use this; it is the yardstick for the compiled kernels.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from mlpot.descriptors.symmetry_functions import (
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)


def cutoff_value(r: float, rc: float, kind: str, alpha: float) -> float:
    if r >= rc:
        return 0.0
    if kind == "hard":
        return 1.0
    if kind == "tanhu":
        return math.tanh(1 - r / rc) ** 3
    if kind == "tanh":
        return math.tanh(1 - r / rc) ** 3 / math.tanh(1) ** 3
    rci = alpha * rc
    if r <= rci:
        return 1.0
    x = (r - rci) / (rc - rci)
    polys = {
        "poly1": 2 * x**3 - 3 * x**2 + 1,
        "poly2": -6 * x**5 + 15 * x**4 - 10 * x**3 + 1,
        "poly3": 20 * x**7 - 70 * x**6 + 84 * x**5 - 35 * x**4 + 1,
        "poly4": -70 * x**9 + 315 * x**8 - 540 * x**7 + 420 * x**6 - 126 * x**5 + 1,
    }
    if kind == "cos":
        return 0.5 * (math.cos(math.pi * x) + 1)
    if kind == "exp":
        return math.exp(1 - 1 / (1 - x * x))
    return polys[kind]


def neighbours(positions, cell, pbc, i, cutoff):
    """Every (atom index j, vector) within cutoff of atom i, brute force over images.

    Along a periodic direction d, an image n cells away is at least (|n| - spread_d) plane
    spacings from atom i, where spread_d is the range of the atoms' fractional coordinates
    (atoms need not lie inside the cell) and a plane spacing is 1 / |column d of cell^-1|; so
    |n| <= cutoff / spacing + spread_d covers every neighbour.
    """
    reps = []
    for d in range(3):
        if not pbc[d]:
            reps.append(0)
            continue
        reciprocal = np.linalg.inv(cell)[:, d]
        spread = np.ptp(positions @ reciprocal)
        reps.append(int(math.ceil(cutoff * np.linalg.norm(reciprocal) + spread)))
    found = []
    for shift in itertools.product(*(range(-n, n + 1) for n in reps)):
        offset = np.array(shift) @ cell if any(pbc) else np.zeros(3)
        for j in range(len(positions)):
            if j == i and not any(shift):
                continue
            v = positions[j] + offset - positions[i]
            if np.linalg.norm(v) < cutoff:
                found.append((j, v))
    return found


def symmetry_functions(atoms, sfset: SymmetryFunctionSet) -> np.ndarray:
    """(N, F) descriptors of an ase.Atoms."""
    kind, alpha = sfset.cutoff_function.kind, sfset.cutoff_function.alpha
    symbols = atoms.get_chemical_symbols()
    cell = atoms.cell.array
    out = np.zeros((len(atoms), sfset.max_features))
    for i, element in enumerate(symbols):
        nbrs = neighbours(atoms.positions, cell, atoms.pbc, i, sfset.cutoff)
        for col, sf in enumerate(sfset.functions[element]):
            def fc(r, sf=sf):
                return cutoff_value(r, sf.cutoff, kind, alpha)

            if isinstance(sf, RadialG2):
                for j, v in nbrs:
                    r = np.linalg.norm(v)
                    if symbols[j] == sf.neighbor:
                        out[i, col] += math.exp(-sf.eta * (r - sf.rs) ** 2) * fc(r)
                continue
            wide = isinstance(sf, AngularG5)
            for (j, vj), (k, vk) in itertools.combinations(nbrs, 2):
                if sorted((symbols[j], symbols[k])) != sorted(sf.neighbors):
                    continue
                rij, rik = np.linalg.norm(vj), np.linalg.norm(vk)
                rjk = np.linalg.norm(vk - vj)
                cos = vj @ vk / (rij * rik)
                cut = fc(rij) * fc(rik)
                if isinstance(sf, AngularG5Mixed):
                    radial_factor = 0.5 * (
                        math.exp(-sf.eta * ((rij - sf.rs) ** 2 + (rik - sf.rs2) ** 2))
                        + math.exp(-sf.eta * ((rij - sf.rs2) ** 2 + (rik - sf.rs) ** 2))
                    )
                else:
                    radial = (rij - sf.rs) ** 2 + (rik - sf.rs) ** 2
                    if not wide:
                        radial += (rjk - sf.rs) ** 2
                        cut *= fc(rjk)
                    radial_factor = math.exp(-sf.eta * radial)
                angular = max(1 + sf.lambda_ * cos, 0.0) ** sf.zeta
                out[i, col] += 2 ** (1 - sf.zeta) * angular * radial_factor * cut
    return out
