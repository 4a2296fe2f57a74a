"""Normal-mode sampling: structures displaced along the modes of a model's Hessian.

Each mode k of the mass-weighted Hessian (eigenvalue w2_k, eV/Å^2/amu) gets a classical
thermal amplitude Q_k ~ N(0, kB T / |w2_k|) (Å amu^1/2), so each mode holds kB T / 2 of
potential energy on average. The modes of an immature model may have negative curvature;
they are sampled with |w2_k| (ASE's phonon_harmonics refuses such spectra), and the
(near-)zero translation and rotation modes are left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms, units

# modes with |w2| below this fraction of the largest are translations/rotations
ZERO_MODE = 1e-4


def finite_difference_hessian(atoms: Atoms, calc, delta: float, workdir: Path) -> np.ndarray:
    """(3N, 3N) Hessian in eV/Å^2 by central differences of calc's forces (ase.vibrations,
    step `delta` Å; its per-displacement cache in workdir lets a killed run resume)."""
    from ase.vibrations import Vibrations

    atoms = atoms.copy()
    atoms.calc = calc
    workdir.mkdir(parents=True, exist_ok=True)
    vibrations = Vibrations(atoms, delta=delta, name=str(workdir / "vib"))
    vibrations.run()
    hessian = vibrations.get_vibrations().get_hessian_2d()
    vibrations.clean()
    return 0.5 * (hessian + hessian.T)


def mode_displacements(
    hessian: np.ndarray,
    masses: np.ndarray,
    temperature_K: float,
    samples: int,
    rng: np.random.Generator,
    max_displacement: float,
) -> list[np.ndarray]:
    """`samples` displacement fields (N, 3), Å, drawn along the modes at temperature_K.

    hessian (3N, 3N) eV/Å^2, masses (N,) amu. A field whose largest atomic displacement
    exceeds max_displacement (Å) is scaled down to it.
    """
    inverse_sqrt_mass = np.repeat(np.asarray(masses, dtype=float) ** -0.5, 3)
    dynamical = hessian * inverse_sqrt_mass[:, None] * inverse_sqrt_mass[None, :]
    w2, modes = np.linalg.eigh(dynamical)
    keep = np.abs(w2) > ZERO_MODE * np.abs(w2).max()
    w2, modes = np.abs(w2[keep]), modes[:, keep]
    fields = []
    for _ in range(samples):
        amplitudes = rng.normal(size=len(w2)) * np.sqrt(units.kB * temperature_K / w2)
        field = (inverse_sqrt_mass * (modes @ amplitudes)).reshape(-1, 3)
        largest = np.linalg.norm(field, axis=1).max(initial=0.0)
        if largest > max_displacement:
            field *= max_displacement / largest
        fields.append(field)
    return fields


def normal_mode_samples(
    atoms: Atoms,
    calc,
    temperatures: list[float],
    samples: int,
    *,
    delta: float,
    max_displacement: float,
    rng: np.random.Generator,
    workdir: Path,
) -> list[tuple[float, Atoms]]:
    """(temperature, displaced copy of atoms) for `samples` draws at each temperature."""
    if samples == 0:
        return []
    hessian = finite_difference_hessian(atoms, calc, delta, workdir)
    out = []
    for temperature in temperatures:
        fields = mode_displacements(
            hessian, atoms.get_masses(), temperature, samples, rng, max_displacement
        )
        for field in fields:
            displaced = atoms.copy()
            displaced.positions += field
            out.append((temperature, displaced))
    return out
