"""Per-atom energy targets for the atomic-energy ensemble (Jung and Han, J. Phys. Chem. Lett.
2020): the atomic energies of one trained potential become targets for the other members.

Total energies do not fix how a potential splits them among atoms; members fitted to the same
atomic energies agree on that split, so their spread in atomic energies measures uncertainty
rather than the arbitrariness of the partition.
"""

from __future__ import annotations

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.errors import MlpotError
from mlpot.models.potential import Potential


def label_atomic_energies(frames: list[Frame], model: Potential) -> None:
    """Set each frame's atomic_energies (N,) to the model's atomic energies, eV (in place)."""
    evaluate = type(model).evaluator([model], skin=0.0)
    for frame in frames:
        try:
            evaluation = evaluate(frame.to_atoms(with_labels=False), set())
        except MlpotError as err:
            raise MlpotError(
                f"{where(frame.source)}: {err}; label frames with a model of them"
            ) from None
        frame.atomic_energies = evaluation.energies[0]
