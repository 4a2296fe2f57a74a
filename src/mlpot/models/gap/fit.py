"""Fitting a GAP in closed form: e0 by least squares, sparse points by CUR (or farthest
points) per element, then the weights by the sparse GP solve over energies, forces and
virials, each with its sigma (per atom, as GAP's sigma_per_atom) divided by sqrt(group
weight)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from mlpot.errors import MlpotError
from mlpot.models.fidelity import fidelity_index
from mlpot.models.gap.design import design_rows, structure_inputs
from mlpot.models.gap.kernels import soap_kernel, two_body_kmm
from mlpot.models.gap.solve import solve_sparse_gp
from mlpot.models.gap.sparse import SELECTORS
from mlpot.training.reference_energies import fitted_references

VOIGT = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))


@dataclass(frozen=True)
class FitSettings:
    """n_sparse new SOAP points per element, by method "cur" (randomised CUR leverage, as GAP's
    cur_points; from `seed`) or "farthest"; sigmas: energy eV/atom, force eV/Å, virial
    eV/atom; jitter relative to K_MM's diagonal."""

    n_sparse: int = 1000
    method: str = "cur"
    energy_sigma: float = 0.001
    force_sigma: float = 0.03
    virial_sigma: float = 0.05
    jitter: float = 1e-8
    seed: int = 0


def fit_gap(model, settings: FitSettings, frames, keep_function: bool = False) -> None:
    """Fit `model` (GapPotential) to frames in place; keep_function keeps its e0 and sparse
    points and adds n_sparse new ones per element."""
    frames = [f for f in frames if f.weight > 0]
    if not frames:
        raise MlpotError("GAP fit: no training frame with a positive weight")
    if not keep_function:
        e0, shifts = fitted_references(frames, list(model.elements), model.fidelities)
        model.e0.copy_(torch.tensor(e0.tolist()))
        if shifts is not None:
            model.fidelity_shifts.copy_(torch.as_tensor(shifts))
    inputs = [structure_inputs(model, f) for f in frames]
    _choose_sparse(model, settings, inputs, keep=keep_function)
    knm, y, sigma = _design(model, settings, frames, inputs)
    kmm = torch.block_diag(_soap_kmm(model), two_body_kmm(model.two_body, len(model.elements)))
    solution = solve_sparse_gp(kmm, knm, y, sigma, settings.jitter)
    model.weights.copy_(solution.weights)
    model.kmm_cholesky.copy_(solution.kmm_cholesky)
    model.posterior_factor.copy_(solution.r_inverse)


def _references(model, frame) -> torch.Tensor:
    """(E,) the model's e0 at the frame's fidelity."""
    if model.fidelities is None:
        return model.e0
    return model.e0 + model.fidelity_shifts[fidelity_index(model.fidelities, frame.fidelity)]


def _choose_sparse(model, settings: FitSettings, inputs, keep: bool) -> None:
    with torch.no_grad():
        q = torch.cat([model.descriptors(x, x.pair_vectors) for x in inputs]).numpy()
    species = torch.cat([x.species for x in inputs]).numpy()
    old_points, old_species = model.sparse.clone(), model.sparse_species.clone()
    if not keep:
        old_points, old_species = old_points[:0], old_species[:0]
    points, kinds = [old_points.numpy()], [old_species.numpy()]
    rng = np.random.default_rng(settings.seed)
    for s in range(len(model.elements)):
        mine = q[species == s]
        held = old_points.numpy()[old_species.numpy() == s]
        chosen = SELECTORS[settings.method](mine, settings.n_sparse, held, rng)
        points.append(mine[chosen])
        kinds.append(np.full(len(chosen), s))
    model.resize(sum(len(k) for k in kinds))
    model.sparse.copy_(torch.from_numpy(np.concatenate(points)))
    model.sparse_species.copy_(torch.from_numpy(np.concatenate(kinds)))


def _soap_kmm(model) -> torch.Tensor:
    return soap_kernel(model.sparse, model.sparse_species, model.sparse, model.sparse_species,
                       model.zeta, model.delta)


def _design(model, settings: FitSettings, frames, inputs):
    """K_NM (N, M), targets y (N,) and sigmas (N,) over every frame's labels."""
    rows, targets, sigmas = [], [], []
    for frame, x in zip(frames, inputs, strict=True):
        design = design_rows(model, x)
        n, scale = len(frame), 1.0 / np.sqrt(frame.weight)
        e0 = float(_references(model, frame)[x.species].sum())
        rows.append(design.energy[None])
        targets.append([frame.energy - e0])
        sigmas.append([settings.energy_sigma * np.sqrt(n) * scale])
        if frame.forces is not None:
            rows.append(design.forces.reshape(3 * n, -1))
            targets.append(np.asarray(frame.forces).reshape(-1))
            sigmas.append(np.full(3 * n, settings.force_sigma * scale))
        if frame.stress is not None and np.all(frame.pbc):
            volume = abs(np.linalg.det(frame.cell))
            rows.append(torch.stack([design.virial[a, b] for a, b in VOIGT]))
            targets.append(np.asarray(frame.stress) * volume)
            sigmas.append(np.full(6, settings.virial_sigma * np.sqrt(n) * scale))
    y = torch.from_numpy(np.concatenate([np.asarray(t, dtype=float) for t in targets]))
    sigma = torch.from_numpy(np.concatenate([np.asarray(s, dtype=float) for s in sigmas]))
    return torch.cat(rows), y, sigma
