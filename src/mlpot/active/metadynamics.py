"""The `metadynamics` exploration kind: hills on the committee's descriptors (G-metaD).

The collective variable is the mean (or, with cv "atomic_descriptor", each atom's) scaled
descriptor of the committee's first member, projected on the leading principal axes of the
structures labelled so far; hills pile up where the run has been, so it leaves the
environments it (and, through the projection, the training set) already knows.
"""

from __future__ import annotations

from collections.abc import Callable

from ase import Atoms

from mlpot.active.config import MetadynamicsExploreConfig
from mlpot.errors import MlpotError
from mlpot.sampling import AtomicMetadynamics, DescriptorCV, Metadynamics, pca_projection
from mlpot.sampling.bias import Bias


def exploration_bias(
    cfg: MetadynamicsExploreConfig, calc, reference: list[Atoms]
) -> Callable[[float], Bias]:
    """bias(temperature K): a fresh bias (no hills yet) for one MD run with the committee
    calc; the projection is computed once, here."""
    model = getattr(calc, "model", None)
    if model is None:
        raise MlpotError(
            "the metadynamics exploration kind needs an mlpot committee's descriptors; "
            f"{type(calc).__name__} has no model"
        )
    projection, centre = pca_projection(model, reference, cfg.components)
    cv = DescriptorCV(model, projection, centre)
    hills = AtomicMetadynamics if cfg.cv == "atomic_descriptor" else Metadynamics

    def bias(temperature: float) -> Bias:
        tempered = cfg.bias_factor is not None
        return hills(
            cv, cfg.height, cfg.widths, cfg.stride, cfg.bias_factor,
            temperature if tempered else None,
        )

    return bias
