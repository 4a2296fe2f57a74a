"""Relaxation of atomic positions (and optionally the cell) with ASE's optimisers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ase import Atoms


@dataclass
class Relaxation:
    """Outcome of relax: whether forces fell below fmax, and the energy (eV) after each step."""

    converged: bool
    energies: list[float] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return max(len(self.energies) - 1, 0)

    def to_dict(self) -> dict:
        return {"converged": self.converged, "steps": self.steps}


def relax(
    atoms: Atoms, *, fmax: float = 0.01, max_steps: int = 200, cell: bool = False
) -> Relaxation:
    """Minimise the energy of atoms (with its calculator attached) in place with BFGS.

    fmax: eV/Å on every atom (and on the cell's degrees of freedom when cell is True, which
    relaxes the cell shape and volume with ase.filters.FrechetCellFilter).
    """
    from ase.optimize import BFGS

    target = atoms
    if cell:
        from ase.filters import FrechetCellFilter

        target = FrechetCellFilter(atoms)
    energies: list[float] = []
    optimizer = BFGS(target, logfile=None)
    optimizer.attach(lambda: energies.append(float(atoms.get_potential_energy())), interval=1)
    converged = bool(optimizer.run(fmax=fmax, steps=max_steps))
    return Relaxation(converged, energies)
