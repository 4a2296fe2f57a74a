"""Metadynamics: Gaussian hills on a collective variable, deposited as the run goes.

V(s) = sum_h w_h exp(-sum_k (s_k - c_hk)^2 / (2 sigma_k^2)), a hill every `stride` MD steps at
the current s. Well-tempered (bias_factor gamma > 1 at temperature T): each new hill's height
is w exp(-V(s) / (kB (gamma - 1) T)), so the bias converges instead of growing without end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase.units import kB

from mlpot.errors import MlpotError
from mlpot.sampling.bias import CVBias
from mlpot.sampling.cv import CollectiveVariable


class Metadynamics(CVBias):
    """Hills of `height` eV and `widths` (K,) in the CV's units on `cv`, every `stride` steps."""

    def __init__(
        self,
        cv: CollectiveVariable,
        height: float,
        widths: float | Sequence[float],
        stride: int = 50,
        bias_factor: float | None = None,
        temperature: float | None = None,
    ):
        k = len(cv.names)
        self.cv = cv
        self.height = float(height)
        self.widths = np.broadcast_to(np.asarray(widths, dtype=float), (k,)).copy()
        self.stride = int(stride)
        if self.height <= 0 or (self.widths <= 0).any() or self.stride < 1:
            raise MlpotError(
                "metadynamics needs height > 0 eV, widths > 0 and stride >= 1; "
                f"got {height}, {widths}, {stride}"
            )
        self.well_tempered_energy = _tempering(bias_factor, temperature)
        self.centres = np.zeros((0, k))
        self.heights = np.zeros(0)

    def energy(self, values: np.ndarray) -> tuple[float, np.ndarray]:
        """V(s) in eV and dV/ds (K,) at s = values (K,)."""
        energies, gradients = gaussians(values[None], self.centres, self.heights, self.widths)
        return float(energies[0]), gradients[0]

    def deposit(self, values: np.ndarray) -> float:
        """Add a hill at s = values (K,); returns its height, eV."""
        height = self.height
        if self.well_tempered_energy is not None:
            height *= np.exp(-self.energy(values)[0] / self.well_tempered_energy)
        self.centres = np.vstack([self.centres, np.asarray(values, dtype=float)[None]])
        self.heights = np.append(self.heights, height)
        return height

    def update(self, values: np.ndarray, step: int) -> bool:
        if step % self.stride:
            return False
        self.deposit(values)
        return True

    def state(self) -> dict[str, np.ndarray]:
        return {"centres": self.centres, "heights": self.heights, "widths": self.widths}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        centres, heights = np.asarray(state["centres"]), np.asarray(state["heights"])
        if (
            centres.ndim != 2
            or centres.shape[1] != len(self.widths)
            or len(heights) != len(centres)
        ):
            raise MlpotError(
                f"saved hills have centres {centres.shape} and heights "
                f"{heights.shape}; this bias has {len(self.widths)} dimensions"
            )
        if not np.allclose(state["widths"], self.widths):
            raise MlpotError(
                f"saved hills have widths {state['widths']}, this bias "
                f"{self.widths}: restart with the widths of the saved run"
            )
        self.centres, self.heights = centres.astype(float), heights.astype(float)


def gaussians(
    points: np.ndarray, centres: np.ndarray, heights: np.ndarray, widths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of hills (H) at each of M points (M, K): energies (M,) eV and gradients (M, K)."""
    scaled = (points[:, None, :] - centres[None]) / widths  # (M, H, K)
    hills = heights * np.exp(-0.5 * np.einsum("mhk,mhk->mh", scaled, scaled))
    return hills.sum(1), -np.einsum("mh,mhk->mk", hills, scaled) / widths


def _tempering(bias_factor: float | None, temperature: float | None) -> float | None:
    """kB (gamma - 1) T in eV, or None for plain metadynamics."""
    if bias_factor is None:
        return None
    if bias_factor <= 1 or temperature is None or temperature <= 0:
        raise MlpotError(
            "well-tempered metadynamics needs bias_factor > 1 and a temperature "
            f"> 0 K; got bias_factor={bias_factor}, temperature={temperature}"
        )
    return kB * (bias_factor - 1.0) * temperature
