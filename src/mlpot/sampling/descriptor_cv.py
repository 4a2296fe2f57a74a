"""Descriptor collective variables (G-metaD): a descriptor family's per-atom symmetry
functions, scaled as its networks read them, averaged over atoms and projected to K numbers.

s = (1 / |A|) sum_{i in A} (x_i - centre) @ W, with x_i = G_i @ S_e + c_e the scaled descriptors
(F,) of atom i (element e) and W (F, K) a fixed projection, for example the leading principal
axes of the training set's scaled descriptors (`pca_projection`). Exact derivatives follow from
the family's dG_i/dr_p (P, F, 3), since G_i depends only on pairs p centred on i.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from ase import Atoms

from mlpot.errors import MlpotError
from mlpot.models.nnp import DESCRIPTORS, PAIR_DERIVATIVES
from mlpot.models.potential import DESCRIPTOR_FEATURES, Potential
from mlpot.neighbours.pairs import Pairs
from mlpot.sampling.cv import CVValue, from_pair_gradients


class AtomProjections(NamedTuple):
    """values (N, K): p_i; jacobian (N, F, K): dp_i/dG_i; pairs: the structure's pairs (P);
    pair_derivatives (P, F, 3): dG_first[p]/dr_p, 1/Å."""

    values: np.ndarray
    jacobian: np.ndarray
    pairs: Pairs
    pair_derivatives: np.ndarray


def from_atom_gradients(
    values: np.ndarray, dsdg: np.ndarray, found: AtomProjections, atoms: Atoms
) -> CVValue:
    """CVValue of s (K,) from ds_k/dG_i (N, F, K) by the chain rule through dG_i/dr_p."""
    pairs = found.pairs
    pair_gradients = np.einsum("pfa,pfk->kpa", found.pair_derivatives, dsdg[pairs.first])
    out = from_pair_gradients(
        values, pair_gradients, pairs.first, pairs.second, pairs.vectors, len(atoms)
    )
    return out if atoms.pbc.all() else out._replace(virial=None)


def _scaling_maps(model: Potential, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Per element e: slopes (E, F, F) and offsets (E, F) with scaled(g) = g @ S_e + c_e,
    read from the model's affine `scaled` (probed at zero and the unit vectors)."""
    probe = np.vstack([np.zeros(n_features), np.eye(n_features)])
    slopes, offsets = [], []
    for e in range(len(model.elements)):
        out = model.scaled(probe, np.full(len(probe), e))
        offsets.append(out[0])
        slopes.append(out[1:] - out[0])
    return np.array(slopes), np.array(offsets)


class DescriptorCV:
    """K projections of the mean scaled descriptor of atoms A (all where `atoms` is None).

    model: a family with per-atom descriptors (capability 'descriptors'); projection (F, K);
    centre (F,) subtracted before projecting (zeros by default).
    """

    def __init__(
        self,
        model: Potential,
        projection: np.ndarray,
        centre: np.ndarray | None = None,
        atoms: Sequence[int] | None = None,
        name: str = "g",
    ):
        model.require(
            DESCRIPTOR_FEATURES,
            "descriptor collective variables",
            "use distances or coordination numbers with this model",
        )
        self.model = model
        self.projection = np.asarray(projection, dtype=float)
        if self.projection.ndim == 1:
            self.projection = self.projection[:, None]
        n_features = self.projection.shape[0]
        self.centre = np.zeros(n_features) if centre is None else np.asarray(centre, float)
        if self.centre.shape != (n_features,):
            raise MlpotError(
                f"{name}: centre has shape {self.centre.shape}, the projection "
                f"reads {n_features} descriptors"
            )
        self.slopes, self.offsets = _scaling_maps(model, n_features)
        self.atoms = None if atoms is None else np.asarray(atoms, dtype=np.int64)
        self.names = tuple(f"{name}{k}" for k in range(self.projection.shape[1]))

    def atom_projections(self, atoms: Atoms) -> AtomProjections:
        """Each atom's projected scaled descriptors p_i = (x_i - centre) @ W and the pieces
        of their derivatives."""
        inputs = self.model.structure_inputs(
            atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc
        )
        g, dg = inputs.features[DESCRIPTORS], inputs.features[PAIR_DERIVATIVES]
        if g.shape[1] != self.projection.shape[0]:
            raise MlpotError(
                f"the model gives {g.shape[1]} descriptors per atom, the "
                f"projection reads {self.projection.shape[0]}"
            )
        species = inputs.species
        x = np.einsum("nf,nfg->ng", g, self.slopes[species]) + self.offsets[species]
        jacobian = self.slopes[species] @ self.projection
        return AtomProjections((x - self.centre) @ self.projection, jacobian, inputs.pairs, dg)

    def evaluate(self, atoms: Atoms) -> CVValue:
        found = self.atom_projections(atoms)
        weights = self._atom_weights(len(atoms))
        # ds_k/dG_i (N, F, K) = w_i dp_ik/dG_i
        dsdg = weights[:, None, None] * found.jacobian
        return from_atom_gradients(weights @ found.values, dsdg, found, atoms)

    def _atom_weights(self, n_atoms: int) -> np.ndarray:
        weights = np.zeros(n_atoms)
        if self.atoms is None:
            weights[:] = 1.0 / n_atoms
        else:
            if self.atoms.size == 0 or self.atoms.max() >= n_atoms or self.atoms.min() < 0:
                raise MlpotError(
                    f"{self.names[0]}: atom indices {self.atoms.tolist()} do not "
                    f"fit a structure of {n_atoms} atoms"
                )
            weights[self.atoms] = 1.0 / len(self.atoms)
        return weights


def pca_projection(
    model: Potential, structures: Sequence[Atoms], n_components: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """(projection (F, K), centre (F,)): the K leading principal axes and the mean of the
    scaled per-atom descriptors of `structures` (for example the training set)."""
    if not structures:
        raise MlpotError("pca_projection needs at least one structure")
    x = np.vstack([model.atom_features(a) for a in structures])
    if n_components > x.shape[1]:
        raise MlpotError(f"{n_components} components asked of {x.shape[1]} descriptors")
    centre = x.mean(0)
    _, _, vt = np.linalg.svd(x - centre, full_matrices=False)
    return vt[:n_components].T.copy(), centre
