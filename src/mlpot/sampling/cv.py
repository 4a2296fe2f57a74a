"""Collective variables: the interface and the geometric ones (distances, coordination).

A collective variable maps a structure to K numbers s(R) and gives their exact derivatives:
ds/dR (K, N, 3) and, where the cell is periodic in all three directions, the virial
ds/d(strain) (K, 3, 3) from which a bias's stress follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np
from ase import Atoms
from ase.geometry import find_mic

from mlpot.errors import MlpotError
from mlpot.models.pair_sums import forces_from_pair_gradients, virial_from_pair_gradients
from mlpot.neighbours.pairs import neighbour_pairs


class CVValue(NamedTuple):
    """values (K,); gradient (K, N, 3) ds/dR, 1/Å times the CV's unit; virial (K, 3, 3)
    ds/d(strain) = sum over pair vectors of ds/dr (outer) r, or None where the CV has none."""

    values: np.ndarray
    gradient: np.ndarray
    virial: np.ndarray | None


class CollectiveVariable(Protocol):
    """What biases read: `names` (K labels) and `evaluate(atoms)`."""

    names: tuple[str, ...]

    def evaluate(self, atoms: Atoms) -> CVValue: ...


def from_pair_gradients(
    values: np.ndarray, pair_gradients: np.ndarray, first, second, vectors, n_atoms: int
) -> CVValue:
    """CVValue of K components from ds_k/dr_p (K, P, 3) for directed pairs p = (first, second)
    with r_p = R_second - R_first + shift, vectors (P, 3) Å."""
    gradient = np.stack(
        [-forces_from_pair_gradients(g, first, second, n_atoms) for g in pair_gradients]
    )
    virial = np.stack([virial_from_pair_gradients(g, vectors) for g in pair_gradients])
    return CVValue(np.asarray(values, dtype=float), gradient, virial)


def _check_indices(indices: Sequence[int], atoms: Atoms, what: str) -> None:
    bad = [i for i in indices if not -len(atoms) <= i < len(atoms)]
    if bad:
        raise MlpotError(
            f"{what}: atom indices {bad} do not exist in a structure of {len(atoms)} atoms; "
            "give indices from 0 to N - 1"
        )


def _pair_vector(atoms: Atoms, i: int, j: int) -> np.ndarray:
    """R_j - R_i, the nearest periodic image where the cell is periodic (Å)."""
    d = atoms.positions[j] - atoms.positions[i]
    if atoms.pbc.any():
        d = find_mic(d[None], atoms.cell, atoms.pbc)[0][0]
    return d


class DistanceCombination:
    """s = sum_k c_k |R_j_k - R_i_k| (Å, nearest images): one distance, or the sum or
    difference of several, as reaction coordinates for guided MD (a bond forms while another
    breaks: c = (+1, -1))."""

    def __init__(
        self,
        pairs: Sequence[tuple[int, int]],
        coefficients: Sequence[float] | None = None,
        name: str = "distance",
    ):
        if not pairs:
            raise MlpotError(f"{name}: give at least one pair of atom indices")
        self.pairs = [(int(i), int(j)) for i, j in pairs]
        if any(i == j for i, j in self.pairs):
            raise MlpotError(f"{name}: a pair joins an atom to itself ({self.pairs})")
        self.coefficients = (
            np.ones(len(pairs)) if coefficients is None else np.asarray(coefficients, dtype=float)
        )
        if self.coefficients.shape != (len(self.pairs),):
            raise MlpotError(
                f"{name}: {len(self.coefficients)} coefficients for {len(self.pairs)} pairs; "
                "give one sign or weight per pair"
            )
        self.names = (name,)

    def evaluate(self, atoms: Atoms) -> CVValue:
        _check_indices([k for pair in self.pairs for k in pair], atoms, self.names[0])
        value, gradient = 0.0, np.zeros((1, len(atoms), 3))
        virial = np.zeros((1, 3, 3))
        for (i, j), c in zip(self.pairs, self.coefficients, strict=True):
            d = _pair_vector(atoms, i, j)
            r = float(np.linalg.norm(d))
            g = c * d / r
            value += c * r
            gradient[0, j] += g
            gradient[0, i] -= g
            virial[0] += np.outer(g, d)
        return CVValue(np.array([value]), gradient, virial if atoms.pbc.all() else None)


def Distance(i: int, j: int) -> DistanceCombination:  # noqa: N802 (a CV constructor)
    """The distance between atoms i and j, Å (nearest image)."""
    return DistanceCombination([(i, j)], name=f"d({i},{j})")


def switching(r: np.ndarray, r_on: float, r_off: float) -> tuple[np.ndarray, np.ndarray]:
    """1 below r_on, 0 beyond r_off, the quintic smooth step between (continuous up to the
    second derivative); returns (values, d/dr in 1/Å) for distances r (P,) Å."""
    x = np.clip((r - r_on) / (r_off - r_on), 0.0, 1.0)
    value = 1.0 - x**3 * (10.0 - 15.0 * x + 6.0 * x**2)
    slope = -30.0 * x**2 * (1.0 - x) ** 2 / (r_off - r_on)
    return value, slope


class Coordination:
    """Mean number of `neighbours` atoms around each `centres` atom, counted with a smooth
    switching function (1 below r_on, 0 beyond r_off, Å); all atoms where a group is None."""

    def __init__(
        self,
        r_on: float,
        r_off: float,
        centres: Sequence[int] | None = None,
        neighbours: Sequence[int] | None = None,
        name: str = "coordination",
    ):
        if not 0.0 <= r_on < r_off:
            raise MlpotError(f"{name}: need 0 <= r_on < r_off, got r_on={r_on}, r_off={r_off}")
        self.r_on, self.r_off = float(r_on), float(r_off)
        self.centres, self.neighbours = centres, neighbours
        self.names = (name,)

    def _mask(self, group: Sequence[int] | None, atoms: Atoms) -> np.ndarray:
        if group is None:
            return np.ones(len(atoms), dtype=bool)
        _check_indices(group, atoms, self.names[0])
        mask = np.zeros(len(atoms), dtype=bool)
        mask[list(group)] = True
        return mask

    def evaluate(self, atoms: Atoms) -> CVValue:
        centres, neighbours = self._mask(self.centres, atoms), self._mask(self.neighbours, atoms)
        pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, self.r_off)
        keep = centres[pairs.first] & neighbours[pairs.second]
        first, second = pairs.first[keep], pairs.second[keep]
        vectors, r = pairs.vectors[keep], pairs.distances[keep]
        value, slope = switching(r, self.r_on, self.r_off)
        n = max(int(centres.sum()), 1)
        pair_gradients = (slope / r / n)[None, :, None] * vectors[None]
        found = from_pair_gradients(
            [value.sum() / n], pair_gradients, first, second, vectors, len(atoms)
        )
        return found if atoms.pbc.all() else found._replace(virial=None)
