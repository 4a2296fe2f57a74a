"""Enhanced sampling for building training sets: collective variables (distances,
coordination numbers, projections of a model's descriptors), metadynamics hills, guided MD
restraints, and BiasedCalculator, which adds any of them to an ASE calculator. `mlpot sample`
(config.py, samplers.py, run.py, diversity.py) runs them, with plain MD and normal modes, as
samplers and picks a label budget from what they produce."""

from mlpot.sampling.atomic_hills import AtomicMetadynamics
from mlpot.sampling.bias import Bias, BiasTerms, CVBias
from mlpot.sampling.calculator import BiasedCalculator
from mlpot.sampling.cv import (
    CollectiveVariable,
    Coordination,
    CVValue,
    Distance,
    DistanceCombination,
)
from mlpot.sampling.descriptor_cv import DescriptorCV, pca_projection
from mlpot.sampling.hills import Metadynamics
from mlpot.sampling.restraint import MovingRestraint

__all__ = [
    "AtomicMetadynamics",
    "BiasTerms",
    "CVBias",
    "Bias",
    "BiasedCalculator",
    "CVValue",
    "CollectiveVariable",
    "Coordination",
    "DescriptorCV",
    "Distance",
    "DistanceCombination",
    "Metadynamics",
    "MovingRestraint",
    "pca_projection",
]
