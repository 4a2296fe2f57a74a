"""E(3)-equivariant many-body message-passing potentials (MACE/NequIP design space).

Needs e3nn, the `equivariant` extra: pip install "mlpot[equivariant]".
"""

try:
    import e3nn  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    from mlpot.errors import MlpotError

    raise MlpotError(
        'the equivariant model family needs e3nn: pip install "mlpot[equivariant]"'
    ) from error

from mlpot.models.equivariant.potential import EquivariantPotential  # noqa: E402
from mlpot.models.equivariant.settings import EquivariantSettings  # noqa: E402

__all__ = ["EquivariantPotential", "EquivariantSettings"]
