"""Per-atom energy targets for the atomic-energy ensemble (Jung and Han, J. Phys. Chem. Lett.
2020): the atomic energies of one trained potential become targets for the other members.

Total energies do not fix how a potential splits them among atoms; members fitted to the same
atomic energies agree on that split, so their spread in atomic energies measures uncertainty
rather than the arbitrariness of the partition.
"""

from __future__ import annotations

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.descriptors.acsf import ACSF
from mlpot.errors import MlpotError
from mlpot.models.evaluate import evaluate_structure
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.neighbours.pairs import neighbour_pairs


def label_atomic_energies(frames: list[Frame], model: NeuralNetworkPotential) -> None:
    """Set each frame's atomic_energies (N,) to the model's atomic energies, eV (in place)."""
    acsf = ACSF(model.sfset)
    model.eval()
    for frame in frames:
        try:
            species = acsf.species(frame.numbers)
        except MlpotError as err:
            raise MlpotError(
                f"{where(frame.source)}: {err}; label frames with a model of them"
            ) from None
        pairs = neighbour_pairs(frame.positions, frame.cell, frame.pbc, acsf.cutoff)
        result = evaluate_structure(model, acsf, species, pairs, forces=False)
        frame.atomic_energies = result.energies
