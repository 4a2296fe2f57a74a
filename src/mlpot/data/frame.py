"""One labelled structure: the data contract shared by readers, training and evaluation.

Units are mlpot's internal ones everywhere: Å, eV, eV/Å, eV/Å^3, with ASE's stress
convention (positive = tensile, Voigt order xx yy zz yz xz xy).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator


@dataclass
class Frame:
    """A structure with its reference (DFT) labels.

    numbers:   (N,) atomic numbers
    positions: (N, 3) Cartesian positions, Å
    cell:      (3, 3) cell vectors as rows, Å (zeros for a molecule)
    pbc:       (3,) periodicity per cell vector
    energy:    total energy, eV
    forces:    (N, 3) eV/Å, or None where the source has none
    stress:    (6,) eV/Å^3, ASE sign and Voigt order, or None
    group:     name of the group the frame belongs to (for weights and per-group errors)
    weight:    training weight of the frame (its group's weight unless set otherwise)
    source:    where it came from, "path:frame", for error messages
    atomic_energies: (N,) per-atom energy targets, eV, or None (most data has none; the
               atomic-energy ensemble labels frames with a trained model's atomic energies)
    fidelity:  the level of theory of the labels (multi-fidelity training), or None for the
               one fidelity of single-fidelity data
    """

    numbers: np.ndarray
    positions: np.ndarray
    cell: np.ndarray
    pbc: np.ndarray
    energy: float
    forces: np.ndarray | None = None
    stress: np.ndarray | None = None
    group: str = "default"
    weight: float = 1.0
    source: str = ""
    info: dict = field(default_factory=dict)
    atomic_energies: np.ndarray | None = None
    fidelity: str | None = None

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def symbols(self) -> list[str]:
        return self.to_atoms(with_labels=False).get_chemical_symbols()

    def to_atoms(self, with_labels: bool = True) -> Atoms:
        """An ase.Atoms copy.

        with_labels attaches energy/forces/stress as a SinglePointCalculator.
        """
        atoms = Atoms(
            numbers=self.numbers, positions=self.positions, cell=self.cell, pbc=self.pbc
        )
        atoms.info.update(self.info)
        atoms.info["group"] = self.group
        atoms.info["weight"] = self.weight
        atoms.info["source"] = self.source
        if self.fidelity is not None:
            atoms.info["fidelity"] = self.fidelity
        if with_labels:
            results = {"energy": self.energy, "free_energy": self.energy}
            if self.forces is not None:
                results["forces"] = self.forces
            if self.stress is not None:
                results["stress"] = self.stress
            if self.atomic_energies is not None:
                results["energies"] = self.atomic_energies
            atoms.calc = SinglePointCalculator(atoms, **results)
        return atoms
