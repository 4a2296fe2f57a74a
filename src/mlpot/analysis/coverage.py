"""How well the training set covers each structure's atomic environments.

For each atom: d = distance (scaled descriptor space) to the nearest training environment of its
element, and the score s = d / t_e, where t_e is the element's threshold, derived from the
training set's own leave-one-structure-out nearest distances (see environments and
coverage_reference). s <= 1 means "as close to the training set as training structures are to
each other"; a structure is flagged when any atom has s > 1.

Per structure: max and mean score, the fraction of atoms beyond the threshold, the number of
atoms with a descriptor outside the training range, and, optionally, the lowest and mean GDF
density of its atoms among the training environments. The same scores of the training
structures themselves (leave-one-structure-out) give the flag rate to expect in-distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlpot.analysis.atom_descriptors import AtomDescriptors
from mlpot.analysis.environments import (
    ElementEnvironments,
    index_training_set,
    nearest_distances,
    outside_training_range,
)
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError

DEFAULT_PERCENTILE = 99.0


@dataclass(frozen=True)
class StructureScores:
    """Per-structure aggregates of per-atom scores (S structures).

    max_score, mean_score: (S,) largest and mean d / t_e over the structure's atoms
    beyond:                (S,) fraction of atoms with d / t_e > 1
    worst_atom:            (S,) index (within the structure) of the atom with the largest score
    flagged:               (S,) max_score > 1
    """

    max_score: np.ndarray
    mean_score: np.ndarray
    beyond: np.ndarray
    worst_atom: np.ndarray
    flagged: np.ndarray


def structure_scores(scores: np.ndarray, frame: np.ndarray, n_frames: int) -> StructureScores:
    """Aggregate per-atom scores (A,) over the frames given by frame (A,) indices."""
    n_atoms = np.bincount(frame, minlength=n_frames)
    if (n_atoms == 0).any():
        raise MlpotError(f"structure {int(np.argmin(n_atoms))} has no atoms to score")
    highest = np.full(n_frames, -np.inf)
    np.maximum.at(highest, frame, scores)
    mean = np.bincount(frame, weights=scores, minlength=n_frames) / n_atoms
    beyond = np.bincount(frame, weights=scores > 1.0, minlength=n_frames) / n_atoms
    starts = np.concatenate([[0], np.cumsum(n_atoms)[:-1]])
    order = np.lexsort((-scores, frame))  # per frame, highest score first
    worst = order[starts] - starts
    return StructureScores(highest, mean, beyond, worst, highest > 1.0)


CALIBRATIONS = ("structure", "atom")


@dataclass(frozen=True)
class CoverageReference:
    """The training environments and the per-element thresholds t_e (dimensionless)."""

    elements: tuple[str, ...]
    environments: list[ElementEnvironments]
    thresholds: np.ndarray
    percentile: float | None  # None where the thresholds were given
    calibration: str | None  # "structure", "atom", or None where the thresholds were given
    training: StructureScores  # leave-one-out scores of the training structures

    def scores(self, distances: np.ndarray, species: np.ndarray) -> np.ndarray:
        """(A,) d / t_e (see atom_scores)."""
        return atom_scores(distances, self.thresholds[species])


def atom_scores(distances: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """d / t elementwise; 0 where d == 0, inf where t == 0 < d."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(distances > 0, distances / thresholds, 0.0)


def coverage_reference(
    train: AtomDescriptors,
    *,
    percentile: float = DEFAULT_PERCENTILE,
    threshold: float | None = None,
    leave_out: str = "structure",
    calibration: str = "structure",
) -> CoverageReference:
    """Index the training set and set the thresholds.

    t_e starts as the percentile of element e's leave-one-out distances ("atom" calibration:
    that percentile of training atoms is within the threshold). "structure" calibration (the
    default) then scales all t_e by the percentile of the training structures' max scores, so
    that this percentile of training structures, each left out in turn, is not flagged,
    whatever their number of atoms. A given threshold is used for every element as it is.
    """
    if not 0 < percentile <= 100:
        raise MlpotError(f"threshold percentile {percentile} is not in (0, 100]")
    if threshold is not None and not threshold > 0:
        raise MlpotError(f"coverage threshold {threshold} must be a positive distance")
    if calibration not in CALIBRATIONS:
        raise MlpotError(f"unknown calibration {calibration!r}; choose one of {CALIBRATIONS}")
    environments = index_training_set(train, leave_out)
    loo = _training_loo(train, environments)
    if threshold is not None:
        thresholds = np.full(len(environments), float(threshold))
    else:
        thresholds = np.array([_percentile(env.loo, percentile) for env in environments])
    training = structure_scores(atom_scores(loo, thresholds[train.species]), train.frame,
                                train.n_frames)
    if threshold is None and calibration == "structure":
        thresholds = thresholds * _percentile(training.max_score, percentile)
        training = structure_scores(atom_scores(loo, thresholds[train.species]), train.frame,
                                    train.n_frames)
    given = threshold is not None
    return CoverageReference(train.elements, environments, thresholds,
                             None if given else percentile, None if given else calibration,
                             training)


def _training_loo(train: AtomDescriptors, environments: list[ElementEnvironments]) -> np.ndarray:
    """(A,) leave-one-out distance of every training atom in atom order (0 where undefined:
    an atom without another one to compare with is not scored)."""
    out = np.zeros(len(train))
    for e, env in enumerate(environments):
        out[train.element_mask(e)] = np.nan_to_num(env.loo, nan=0.0)
    return out


def _percentile(values: np.ndarray, q: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.percentile(finite, q)) if len(finite) else 0.0


@dataclass(frozen=True)
class Coverage:
    """Coverage of a data set: per atom (A,) and per structure (S,)."""

    reference: CoverageReference
    frame: np.ndarray  # (A,) structure index of each atom
    distances: np.ndarray  # (A,) nearest training distance
    scores: np.ndarray  # (A,) distances / t_e
    outside_range: np.ndarray  # (A,) descriptors outside the training range
    structures: StructureScores
    atoms_outside_range: np.ndarray  # (S,) atoms with any descriptor outside the range
    gdf_min: np.ndarray | None = None  # (S,) lowest GDF density among the structure's atoms
    gdf_mean: np.ndarray | None = None  # (S,)
    gdf_sigma: float | None = None


def coverage(
    reference: CoverageReference, data: AtomDescriptors, gdf_sigma: float | None = None
) -> Coverage:
    """Coverage scores of every atom and structure of data."""
    distances = nearest_distances(reference.environments, data)
    scores = reference.scores(distances, data.species)
    outside = outside_training_range(reference.environments, data)
    n = data.n_frames
    gdf_min = gdf_mean = None
    if gdf_sigma is not None:
        density = gdf_against_training(reference, data, gdf_sigma)
        gdf_min = np.full(n, np.inf)
        np.minimum.at(gdf_min, data.frame, density)
        gdf_mean = np.bincount(data.frame, density, n) / np.bincount(data.frame, minlength=n)
    return Coverage(
        reference, data.frame, distances, scores, outside, structure_scores(scores, data.frame, n),
        np.bincount(data.frame, weights=outside > 0, minlength=n).astype(np.int64),
        gdf_min, gdf_mean, gdf_sigma,
    )


def gdf_against_training(
    reference: CoverageReference, data: AtomDescriptors, sigma: float
) -> np.ndarray:
    """(A,) GDF density (Jeong et al. 2018) of each data atom among the training environments
    of its element (0 where there are none), in the same scaled descriptor space."""
    from mlpot.training.gdf import gdf_density

    density = np.zeros(len(data))
    for e, env in enumerate(reference.environments):
        rows = data.element_mask(e)
        if env.size and rows.any():
            x = data.of_element(e)
            density[rows] = gdf_density(x, np.zeros(len(x)), sigma, reference=env.tree.data,
                                        reference_species=np.zeros(env.size))
    return density


def coverage_to_dict(result: Coverage, frames: Sequence[Frame], labels: Sequence[str]) -> dict:
    """JSON-ready numbers: thresholds, training baseline, one row per structure, flagged list."""
    ref, s = result.reference, result.structures
    rows = []
    for i, frame in enumerate(frames):
        row = {
            "source": frame.source or f"frame {i}", "label": labels[i], "group": frame.group,
            "n_atoms": len(frame), "max_score": s.max_score[i], "mean_score": s.mean_score[i],
            "fraction_beyond": s.beyond[i], "worst_atom": int(s.worst_atom[i]),
            "atoms_outside_range": int(result.atoms_outside_range[i]),
            "flagged": bool(s.flagged[i]),
        }
        if result.gdf_min is not None:
            row.update(gdf_min=result.gdf_min[i], gdf_mean=result.gdf_mean[i])
        rows.append(row)
    return {
        "space": "model-scaled descriptors, Euclidean distance per element",
        "threshold": {
            "percentile": ref.percentile,
            "calibration": ref.calibration,
            "per_element": dict(zip(ref.elements, ref.thresholds.tolist(), strict=True)),
            "leave_out": {el: env.leave_out
                          for el, env in zip(ref.elements, ref.environments, strict=True)},
        },
        "training": {
            "n_structures": len(ref.training.flagged),
            "n_environments": {el: env.size
                               for el, env in zip(ref.elements, ref.environments, strict=True)},
            "flag_rate_leave_one_out": float(np.mean(ref.training.flagged)),
        },
        "gdf_sigma": result.gdf_sigma,
        "n_structures": len(frames),
        "n_flagged": int(s.flagged.sum()),
        "flagged": [r["source"] for r in rows if r["flagged"]],
        "structures": rows,
    }
