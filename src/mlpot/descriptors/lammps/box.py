"""A structure as LAMMPS wants it: a lower-triangular box, wrapped positions, and the rotation
back to the structure's own frame (ASE's Prism, the same one ASE's LAMMPS writers use).

Directions that are not periodic get LAMMPS's shrink-wrapped boundary "m"; a structure with no
periodic direction and no cell (a molecule) gets an orthorhombic box around its atoms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpot.errors import MlpotError

VACUUM = 1.0  # Å around a molecule without a cell (shrink-wrapping adjusts it anyway)


@dataclass(frozen=True)
class LammpsBox:
    """boundary: e.g. "p p m"; region: `region` arguments of the box, Å;
    positions: (N, 3) Å in LAMMPS's frame; rotation: (3, 3) with x_lammps = x @ rotation."""

    boundary: str
    region: str
    positions: np.ndarray
    rotation: np.ndarray

    def vectors_to_structure(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors (..., 3) from LAMMPS's frame back to the structure's frame."""
        return vectors @ self.rotation.T


def lammps_box(positions: np.ndarray, cell: np.ndarray, pbc: np.ndarray) -> LammpsBox:
    """The LAMMPS box of a structure: positions (N, 3) Å, cell (3, 3) rows Å, pbc (3,)."""
    from ase.calculators.lammps.coordinatetransform import Prism

    pbc = np.asarray(pbc, dtype=bool)
    cell = np.asarray(cell, dtype=np.float64)
    positions = np.asarray(positions, dtype=np.float64)
    if abs(np.linalg.det(cell)) < 1e-9:
        if pbc.any():
            raise MlpotError("a periodic structure needs three linearly independent cell vectors")
        low = positions.min(axis=0) - VACUUM
        cell = np.diag(positions.max(axis=0) + VACUUM - low)
        positions = positions - low
    prism = Prism(cell, pbc, reduce_cell=True)
    xhi, yhi, zhi, xy, xz, yz = (float(x) for x in prism.get_lammps_prism())
    boundary = " ".join("p" if p else "m" for p in pbc)
    region = f"prism 0 {xhi!r} 0 {yhi!r} 0 {zhi!r} {xy!r} {xz!r} {yz!r}"
    return LammpsBox(boundary, region, prism.vector_to_lammps(positions, wrap=True), prism.rot_mat)
