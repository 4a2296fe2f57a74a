"""The GAP family: E_i = e0[z_i] + SOAP GP + two-body GP, with its predictive variance.

    E_i = e0[z_i] + sum_m w_m delta^2 (q_i . x_m)^zeta [same element]
                  + 1/2 sum_{p: first = i} sum_k v_k k_2b(r_p, d_k)

q_i: normalised SOAP power spectrum (mlpot.models.gap.soap); x_m: sparse environments chosen
by CUR (mlpot.models.gap.sparse); d_k: a distance grid per element pair. The weights and the
factors of the variance come from mlpot.models.gap.fit.

A multi-fidelity GAP (mlpot.models.fidelity) adds per-fidelity reference shifts,
e0[z_i] + shift[fidelity, z_i]; its GP is shared by the fidelities (no fidelity input).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from ase.data import atomic_numbers

from mlpot.models.fidelity import Fidelities
from mlpot.models.gap.descriptors import soap_descriptors
from mlpot.models.gap.kernels import TwoBodySettings, soap_kernel, two_body_basis
from mlpot.models.gap.soap import SoapSettings, soap_pairs
from mlpot.models.potential import ATOM_FEATURES, FITTED, MULTI_FIDELITY, VARIANCE, Potential
from mlpot.neighbours.pairs import Pairs

if TYPE_CHECKING:
    from mlpot.models.inputs import ModelInputs


class GapPotential(Potential):
    """A Gaussian approximation potential (SOAP + two-body) with M sparse SOAP points."""

    family = "gap"

    def __init__(
        self,
        elements: tuple[str, ...],
        soap: SoapSettings,
        two_body: TwoBodySettings,
        zeta: int = 4,
        delta: float = 1.0,
        n_sparse: int = 0,
        fidelities: Fidelities | None = None,
    ):
        super().__init__()
        self._fidelities = fidelities
        self._elements = tuple(elements)
        self.soap, self.two_body, self.zeta, self.delta = soap, two_body, int(zeta), delta
        n_species = len(elements)
        width = (n_species * soap.n_max) ** 2 * (soap.l_max + 1)
        n_two = n_species * (n_species + 1) // 2 * two_body.n_points
        f64 = dict(dtype=torch.float64)
        self.register_buffer("e0", torch.zeros(n_species, **f64))
        if fidelities is not None:  # e0 of each fidelity minus the target's
            self.register_buffer("fidelity_shifts", torch.zeros(len(fidelities), n_species, **f64))
        self.register_buffer("sparse", torch.zeros(n_sparse, width, **f64))
        self.register_buffer("sparse_species", torch.zeros(n_sparse, dtype=torch.long))
        self.register_buffer("weights", torch.zeros(n_sparse + n_two, **f64))
        # variance factors: Cholesky of K_MM and R^-1 of the QR solve (SOAP, two-body)
        n_all = n_sparse + n_two
        self.register_buffer("kmm_cholesky", torch.zeros(n_all, n_all, **f64))
        self.register_buffer("posterior_factor", torch.zeros(n_all, n_all, **f64))

    elements = property(lambda self: self._elements)

    @property
    def cutoff(self) -> float:
        return max(self.soap.cutoff, self.two_body.cutoff if self.two_body.n_points else 0.0)

    @classmethod
    def calculator_type(cls) -> type:
        """MlpotCalculator with the GP's variance (energy_std, energies_std)."""
        from mlpot.models.gap.calculator import GapCalculator

        return GapCalculator

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({FITTED, VARIANCE, ATOM_FEATURES, MULTI_FIDELITY})

    @property
    def n_sparse(self) -> int:
        return len(self.sparse)

    @property
    def numbers(self) -> np.ndarray:
        return np.array([atomic_numbers[e] for e in self._elements])

    def features(self, species: np.ndarray, pairs: Pairs) -> dict[str, np.ndarray]:
        """The pairs' cell shifts (P, 3): featomic tells images apart by them."""
        return {"shifts": pairs.shifts.astype(np.float64)}

    def atom_features(self, atoms) -> np.ndarray:
        """(N, D) normalised SOAP power spectra: what the kernel compares."""
        from mlpot.models.inputs import ModelInputs

        structure = self.structure_inputs(atoms.numbers, atoms.positions, atoms.cell.array,
                                          atoms.pbc)
        inputs = ModelInputs.of_structure(structure, atoms.cell.array, atoms.pbc, torch.float64)
        with torch.no_grad():
            return self.descriptors(inputs, inputs.pair_vectors).double().numpy()

    def descriptors(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        """Normalised SOAP power spectra q (A, D) of the batch's atoms."""
        pairs = soap_pairs(inputs, vectors, self.soap.cutoff)
        return soap_descriptors(self.soap, self.numbers, inputs.species, *pairs)

    def basis(
        self, inputs: ModelInputs, vectors: torch.Tensor, q: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Phi (A, M + T K): the atoms' kernel rows, SOAP columns then two-body ones."""
        q = self.descriptors(inputs, vectors) if q is None else q
        soap = soap_kernel(q, inputs.species, self.sparse.to(q), self.sparse_species,
                           self.zeta, self.delta)
        pair = two_body_basis(self.two_body, len(self._elements), len(inputs.species),
                              inputs.species, inputs.pair_first, inputs.pair_second, vectors)
        return torch.cat([soap, pair], 1)

    def atomic_energies(self, inputs: ModelInputs, vectors: torch.Tensor) -> torch.Tensor:
        e0 = self.e0[inputs.species]
        if self.fidelities is not None:
            e0 = e0 + self.fidelity_shifts[inputs.fidelity[inputs.atom_structure], inputs.species]
        return e0.to(vectors) + self.basis(inputs, vectors) @ self.weights.to(vectors)

    def folded_fidelity(self, index: int) -> GapPotential:
        """A single-fidelity copy whose e0 holds the fidelity's shift."""
        single = type(self).from_spec({k: v for k, v in self.spec().items() if k != "fidelities"})
        state = self.state_dict()
        state["e0"] = state["e0"] + state.pop("fidelity_shifts")[index]
        single.load_state_dict(state)
        single.metadata = getattr(self, "metadata", {})
        return single

    def spec(self) -> dict:
        return {
            "elements": list(self._elements),
            "soap": vars(self.soap).copy(),
            "two_body": vars(self.two_body).copy(),
            "zeta": self.zeta,
            "delta": self.delta,
            "n_sparse": self.n_sparse,
            **({"fidelities": self.fidelities.to_spec()} if self.fidelities else {}),
        }

    @classmethod
    def from_spec(cls, spec: dict) -> GapPotential:
        return cls(tuple(spec["elements"]), SoapSettings(**spec["soap"]),
                   TwoBodySettings(**spec["two_body"]), spec["zeta"], spec["delta"],
                   spec["n_sparse"], Fidelities.from_spec(spec.get("fidelities")))

    def resize(self, n_sparse: int) -> None:
        """Replace the buffers sized by the sparse points with zeros for `n_sparse` of them
        (e0 and the fidelity shifts are kept)."""
        fresh = type(self).from_spec({**self.spec(), "n_sparse": n_sparse})
        for name, buffer in fresh.named_buffers():
            if name in ("e0", "fidelity_shifts"):
                continue
            setattr(self, name, buffer.to(self.e0.dtype if buffer.is_floating_point()
                                          else buffer.dtype))

