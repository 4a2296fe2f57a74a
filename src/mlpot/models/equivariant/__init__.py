"""E(3)-equivariant many-body message-passing potentials (MACE/NequIP design space).

Needs the `equivariant` extra (e3nn): pip install "mlpot[equivariant]".
"""

from mlpot.models.equivariant.potential import EquivariantPotential
from mlpot.models.equivariant.settings import EquivariantSettings

__all__ = ["EquivariantPotential", "EquivariantSettings"]
