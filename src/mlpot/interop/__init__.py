"""Potentials in other codes' formats: n2p2, SIMPLE-NN, LAMMPS ML-IAP."""

from mlpot.interop.formats import FORMATS, read_potential, write_potential

__all__ = ["FORMATS", "read_potential", "write_potential"]
