"""n2p2 potentials in and out: input.nn, scaling.data and weights.ZZZ.data.

read_potential(path) builds an mlpot model from an n2p2 potential directory (symmetry functions
of types 2, 3 and 9, every cutoff type, every scaling and normalisation n2p2 writes);
write_potential(model, path) writes any mlpot symmetry-function model as such a directory, which
n2p2 and LAMMPS `pair_style hdnnp` load, with a `lammps.in` snippet beside it.
"""

from mlpot.interop.n2p2.reader import is_potential_dir, read_potential
from mlpot.interop.n2p2.writer import write_potential

__all__ = ["is_potential_dir", "read_potential", "write_potential"]
