"""Multi-fidelity models: one model learns labels of several levels of theory at once.

Each training structure carries a fidelity (a name such as "dft" or "pbe-universal"); a
multi-fidelity model reads it as a one-hot vector (given to its networks, as SevenNet-MF
does) and keeps per-fidelity reference energies, so that what the fidelities share is learnt
from all their labels. A model predicts at one fidelity: the target named in the config
unless told otherwise. `Potential.at_fidelity(name)` gives a single-fidelity model that
predicts at `name` (the one-hot folded into the weights), which calculators, ensembles and
exporters then use as any other model.

A single-fidelity model (every model file before multi-fidelity training) has no Fidelities.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mlpot.errors import MlpotError


@dataclass(frozen=True)
class Fidelities:
    """The fidelity names a model learnt (in the order of its one-hot inputs) and the one it
    predicts at by default."""

    names: tuple[str, ...]
    target: str

    def __post_init__(self) -> None:
        if len(self.names) < 2 or len(set(self.names)) != len(self.names):
            raise MlpotError(
                f"a multi-fidelity model needs at least two distinct fidelities, got {self.names}"
            )
        if self.target not in self.names:
            raise MlpotError(
                f"target fidelity '{self.target}' is not one of {', '.join(self.names)}"
            )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str | None) -> int:
        """The one-hot position of fidelity `name` (None: the target)."""
        name = self.target if name is None else name
        if name not in self.names:
            raise MlpotError(
                f"fidelity '{name}' is not one the model learnt ({', '.join(self.names)}); "
                "choose one of those"
            )
        return self.names.index(name)

    def to_spec(self) -> dict:
        return {"names": list(self.names), "target": self.target}

    @classmethod
    def from_spec(cls, spec: dict | None) -> Fidelities | None:
        return None if spec is None else cls(tuple(spec["names"]), spec["target"])


def fidelity_index(fidelities: Fidelities | None, name: str | None) -> int:
    """The one-hot position of `name` in a model with `fidelities`; 0 for a single-fidelity
    model, which accepts any name (its data has one fidelity)."""
    return 0 if fidelities is None else fidelities.index(name)


def atom_one_hot(fidelity: torch.Tensor, atom_structure: torch.Tensor, n: int,
                 dtype: torch.dtype) -> torch.Tensor:
    """(A, n) one-hot fidelity of each atom from the per-structure indices fidelity (S,)."""
    return torch.nn.functional.one_hot(fidelity[atom_structure], n).to(dtype)


def check_single(model_fidelities: Fidelities | None, name: str | None, what: str) -> None:
    """Raise MlpotError when `name` is asked of a single-fidelity model."""
    if model_fidelities is None and name is not None:
        raise MlpotError(
            f"{what} was asked for fidelity '{name}', but the model learnt a single fidelity; "
            "leave the fidelity out"
        )
