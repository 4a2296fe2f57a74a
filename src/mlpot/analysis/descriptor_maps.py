"""Descriptor-space maps: where training, test and other atoms lie in the model's input space.

Each element has its own descriptors (and network), so maps are drawn one panel per element;
colouring by element needs all elements in one space, so that map embeds the zero-padded rows
of all atoms together. Colours: "set" (training / test / other labels), "element", "group"
(Frame.group), "error" (per-atom force error |F_pred - F_ref|, eV/Å, grey where unlabelled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlpot.analysis.atom_descriptors import AtomDescriptors
from mlpot.analysis.embedding import (
    METHODS,
    Embedding,
    balanced_subsample,
    pca_embedding,
    require_sklearn,
    tsne_embedding,
)
from mlpot.analysis.output import write_json
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError

COLORS = ("set", "element", "group", "error")
TRAINING = "training"


@dataclass(frozen=True)
class MapPoints:
    """Every atom to map, with what it can be coloured by (A atoms).

    set_label: (A,) name of the set the atom's structure came from ("training", "test", ...)
    group:     (A,) Frame.group of the atom's structure
    error:     (A,) force error magnitude, eV/Å (NaN where unlabelled), or None
    """

    atoms: AtomDescriptors
    set_label: np.ndarray
    group: np.ndarray
    error: np.ndarray | None = None


def map_points(
    atoms: AtomDescriptors,
    frames: Sequence[Frame],
    frame_labels: Sequence[str],
    force_errors: np.ndarray | None = None,
) -> MapPoints:
    """MapPoints of atoms computed from frames, each frame carrying a set label."""
    if len(frames) != len(frame_labels) or atoms.n_frames != len(frames):
        raise MlpotError("descriptor maps need one set label per frame of the descriptors")
    labels = np.asarray(frame_labels, dtype=str)[atoms.frame]
    groups = np.array([frame.group for frame in frames], dtype=str)[atoms.frame]
    return MapPoints(atoms, labels, groups, force_errors)


@dataclass(frozen=True)
class MapSettings:
    """What to draw: methods (pca, tsne), colours, and how many atoms each map shows."""

    methods: tuple[str, ...] = ("pca",)
    colors: tuple[str, ...] = ("set",)
    seed: int = 0
    max_points: int = 20_000  # per PCA panel
    max_points_tsne: int = 3_000  # per t-SNE panel (its cost grows with n log n, memory n)
    perplexity: float = 30.0

    def check(self, points: MapPoints) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        unknown += [c for c in self.colors if c not in COLORS]
        if unknown:
            raise MlpotError(f"unknown map method or colour {unknown}: choose from "
                             f"{METHODS} and {COLORS}")
        if "error" in self.colors and (points.error is None or np.isnan(points.error).all()):
            raise MlpotError("colouring by error needs reference forces: pass labelled data")
        if min(self.max_points, self.max_points_tsne) < 4:
            raise MlpotError("a map needs at least 4 points: raise the point limits")


@dataclass(frozen=True)
class Panel:
    """One panel of a map: the atoms (indices into MapPoints) and their embedding."""

    title: str
    rows: np.ndarray
    n_available: dict[str, int]  # atoms per set before subsampling
    embedding: Embedding

    def to_dict(self, points: MapPoints) -> dict:
        shown = dict(zip(*np.unique(points.set_label[self.rows], return_counts=True),
                         strict=True))
        return {"atoms": self.n_available, "shown": shown, **self.embedding.to_dict()}


def embed_panels(
    points: MapPoints, method: str, joint: bool, settings: MapSettings
) -> list[Panel]:
    """Embeddings of each element's atoms (or of all atoms together when joint)."""
    atoms = points.atoms
    if joint:
        layout = [("all elements", np.arange(len(atoms)), atoms.values.shape[1])]
    else:
        layout = [(f"{el} atoms", np.flatnonzero(atoms.species == e), atoms.n_features[e])
                  for e, el in enumerate(atoms.elements) if (atoms.species == e).any()]
    s = settings
    limit = s.max_points_tsne if method == "tsne" else s.max_points
    panels = []
    for title, rows, width in layout:
        labels = points.set_label[rows]
        available = dict(zip(*np.unique(labels, return_counts=True), strict=True))
        rows = rows[balanced_subsample(labels, limit, s.seed)]
        x = atoms.values[rows, :width]
        if method == "pca":
            embedding = pca_embedding(x, points.set_label[rows] == TRAINING)
        else:
            embedding = tsne_embedding(x, s.seed, s.perplexity)
        panels.append(Panel(title, rows, available, embedding))
    return panels


def descriptor_maps(
    points: MapPoints, settings: MapSettings, out: str | Path, title: str = ""
) -> tuple[dict, list[Path]]:
    """Draw map_<method>_<colour>.png for every method and colour and write maps.json into
    out; returns the numbers and the files written."""
    from mlpot.analysis.map_plots import plot_map

    settings.check(points)
    require_sklearn()
    out = Path(out)
    summary: dict = {
        "space": "model-scaled descriptors",
        "subsample": {"seed": settings.seed, "max_points_pca": settings.max_points,
                      "max_points_tsne": settings.max_points_tsne,
                      "scheme": "seeded random subsample, shared evenly between sets"},
        "maps": {},
    }
    written = []
    for method in settings.methods:
        for joint in sorted({c == "element" for c in settings.colors}):
            panels = embed_panels(points, method, joint, settings)
            key = f"{method}_{'all_elements' if joint else 'per_element'}"
            summary["maps"][key] = {p.title: p.to_dict(points) for p in panels}
            for colour in (c for c in settings.colors if (c == "element") == joint):
                path = out / f"map_{method}_{colour}.png"
                written.append(plot_map(panels, points, colour, path, title))
    summary["files"] = [p.name for p in written]
    written.insert(0, write_json(out / "maps.json", summary))
    return summary, written
