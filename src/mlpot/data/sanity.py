"""Physical sanity of structures and of a training split, beyond the strict format checks.

check_structure raises for what no calculation can use (atoms on top of each other, a periodic
cell without volume); check_split warns about splits that give no usable validation or scaling.
notify is how the data checks speak to the user: one "warning: ..." line on stderr.
"""

from __future__ import annotations

import sys

import numpy as np
from ase import Atoms

from mlpot.data.errors import DataError, describe_source

# Closer than this (Å) two atoms are "on top of each other": no structure of any element
# has such a pair, and the descriptors' radial grid cannot start below it.
MIN_DISTANCE = 0.1
# Pairs are searched within this radius (Å) and filtered: vesin's cell lists get slow for
# radii far below the interatomic distances.
OVERLAP_SEARCH = 2.5
# Fewer training structures than this cannot fit the input scaling and reference energies.
MIN_TRAIN_FRAMES = 5


def notify(message: str) -> None:
    """Print one warning line on stderr, above any progress bar."""
    from tqdm.auto import tqdm

    tqdm.write(f"warning: {message}", file=sys.stderr)


def where(source: str) -> str:
    """A Frame.source as messages write it: "'path', frame 3" (the source itself otherwise)."""
    return describe_source(source) or (f"'{source}'" if source else "a structure")


def overlap_problem(positions, cell, pbc) -> str | None:
    """A message when two atoms (or an atom and an image) are closer than MIN_DISTANCE."""
    from mlpot.neighbours.pairs import neighbour_pairs

    pairs = neighbour_pairs(positions, cell, pbc, OVERLAP_SEARCH)
    if len(pairs.distances) == 0 or pairs.distances.min() >= MIN_DISTANCE:
        return None
    k = int(np.argmin(pairs.distances))
    i, j, d = int(pairs.first[k]), int(pairs.second[k]), float(pairs.distances[k])
    return (
        f"atoms {i} and {j} are {d:.3g} Å apart (on top of each other; the shortest bond of "
        f"any element is about 0.7 Å); fix the positions or leave this frame out"
    )


def check_structure(atoms: Atoms, source: str) -> None:
    """Raise DataError when `atoms` (e.g. the start of an MD run) cannot be simulated: no atoms,
    NaN/inf positions or cell, a periodic cell of zero volume, atoms on top of each other."""
    from mlpot.data.ase_files import frame_from_atoms
    from mlpot.data.validate import structure_problem

    frame = frame_from_atoms(atoms, source)
    problem = structure_problem(frame)
    if problem:
        raise DataError(f"'{source}': {problem}")


def check_split(n_train: int, n_validation: int, fraction: float | None) -> None:
    """Warn, before any descriptor is computed, about splits that cannot give good numbers.

    fraction: the configured validation fraction (None when validation has its own files).
    """
    if n_validation == 0:
        asked = f"validation: {fraction} of {n_train} frames" if fraction else "validation"
        notify(
            f"{asked} holds out no frame: the validation loss will be NaN and the best model "
            "is chosen by the training loss; use more frames or a larger fraction, or give "
            "validation files"
        )
    if n_train < MIN_TRAIN_FRAMES:
        notify(
            f"only {n_train} training structure(s): the input scaling and the reference "
            "energies are fitted on them, so errors on other structures can be meaningless "
            f"(orders of magnitude); train on at least {MIN_TRAIN_FRAMES} varied structures"
        )
