"""A model family written only inside the tests: a learned pair potential.

E_i = E_ref[z_i] + 1/2 sum_j phi_{z_i z_j}(r_ij), with phi a small network of Gaussians of r
(one output per unordered element pair) times a cosine cutoff. It uses nothing of mlpot but
the family contract (Potential, register_family, a config section), which is what shows that
the seam works: registered, it trains, resumes, forms ensembles, runs MD and passes the
physics suite without a change to mlpot's modules.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from mlpot.config.sections import Section
from mlpot.models.families import BuildContext, register_family
from mlpot.models.inputs import ModelInputs
from mlpot.models.potential import Potential
from mlpot.training.reference_energies import fit_reference_energies


class PairPotential(Potential):
    family = "pair"

    def __init__(self, elements, cutoff: float, basis: int = 8, hidden: int = 16,
                 dtype: torch.dtype = torch.float64):
        super().__init__()
        self._elements, self._cutoff = tuple(elements), float(cutoff)
        self.basis, self.hidden = basis, hidden
        n = len(self._elements)
        self.network = nn.Sequential(
            nn.Linear(basis, hidden, dtype=dtype), nn.SiLU(),
            nn.Linear(hidden, n * (n + 1) // 2, dtype=dtype),
        )
        self.register_buffer("centres", torch.linspace(0.5, cutoff, basis, dtype=dtype))
        self.register_buffer("reference_energies", torch.zeros(n, dtype=dtype))

    @property
    def elements(self):
        return self._elements

    @property
    def cutoff(self):
        return self._cutoff

    def atomic_energies(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        r = torch.linalg.vector_norm(vectors.to(self.centres.dtype), dim=1)
        width = self._cutoff / self.basis
        envelope = 0.5 * (torch.cos(math.pi * r / self._cutoff) + 1) * (r < self._cutoff)
        gauss = torch.exp(-(((r[:, None] - self.centres) / width) ** 2))
        a = inputs.species[inputs.pair_first]
        b = inputs.species[inputs.pair_second]
        low, high = torch.minimum(a, b), torch.maximum(a, b)
        n = len(self._elements)
        column = low * n - low * (low - 1) // 2 + (high - low)  # unordered pair index
        phi = envelope * self.network(gauss).gather(1, column[:, None]).squeeze(1)
        energies = self.reference_energies[inputs.species].clone()
        return energies.index_add(0, inputs.pair_first, 0.5 * phi)

    def spec(self) -> dict:
        return {
            "elements": list(self._elements), "cutoff": self._cutoff, "basis": self.basis,
            "hidden": self.hidden, "dtype": str(self.dtype).removeprefix("torch."),
        }

    @classmethod
    def from_spec(cls, spec: dict) -> PairPotential:
        spec = dict(spec)
        dtype = getattr(torch, spec.pop("dtype"))
        return cls(**spec, dtype=dtype)


class PairConfig(Section):
    """The `model:` section of family "pair"."""

    family: Literal["pair"]
    cutoff: float = 4.5
    basis: int = 8
    hidden: int = 16


def build(section: PairConfig, context: BuildContext) -> PairPotential:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(context.seed)
        return PairPotential(
            context.elements, section.cutoff, section.basis, section.hidden, context.dtype
        )


def fit(model: PairPotential, section, frames, prepared, keep_function: bool, seed: int) -> None:
    """Reference energies by least squares (kept when training continues)."""
    if keep_function:
        return
    refs = fit_reference_energies(frames, list(model.elements))
    values = [refs[e] for e in model.elements]
    model.reference_energies.copy_(torch.tensor(values, dtype=model.dtype))


def register() -> None:
    register_family(PairPotential, PairConfig, build, fit)
