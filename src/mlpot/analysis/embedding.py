"""Two-dimensional embeddings of per-atom descriptors: PCA and t-SNE (scikit-learn).

PCA axes are fitted on the training atoms only, so they show the training set's main
directions and where other atoms fall on them; t-SNE has no such projection and embeds all
shown atoms together. Large sets are subsampled reproducibly (seeded), with every labelled set
(training, test, ...) keeping a fair share of the points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpot.errors import MlpotError

METHODS = ("pca", "tsne")
SERIAL_TSNE_BELOW = 1000  # points


def require_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise MlpotError(
            'descriptor maps need scikit-learn, which is not installed: '
            'pip install "mlpot[analysis]"'
        ) from exc


def balanced_subsample(labels: np.ndarray, max_points: int, seed: int) -> np.ndarray:
    """Sorted indices of at most max_points rows, shared as evenly as possible between labels
    (a label with fewer rows than its share gives the rest to the others); all rows when
    there are no more than max_points."""
    if len(labels) <= max_points:
        return np.arange(len(labels))
    names, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quota = np.zeros(len(names), dtype=int)
    remaining = max_points
    while remaining > 0:  # water-filling: equal shares, capped by what each label has
        room = np.flatnonzero(quota < counts)
        share = remaining // len(room)
        if share == 0:
            quota[room[:remaining]] += 1
            break
        added = np.minimum(share, counts[room] - quota[room])
        quota[room] += added
        remaining -= int(added.sum())
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(inverse == k), quota[k], replace=False)
              for k in range(len(names))]
    return np.sort(np.concatenate(chosen))


@dataclass(frozen=True)
class Embedding:
    """2-D coordinates of some atoms.

    coords:    (n, 2) map coordinates (PCA: in scaled-descriptor units; t-SNE: arbitrary)
    explained: PCA: fraction of the training variance along each axis; None for t-SNE
    kl_divergence, perplexity: t-SNE's final KL divergence and the perplexity used
    """

    method: str
    coords: np.ndarray
    explained: tuple[float, float] | None = None
    kl_divergence: float | None = None
    perplexity: float | None = None

    def axis_labels(self) -> tuple[str, str]:
        if self.explained is None:
            return "t-SNE 1", "t-SNE 2"
        return tuple(f"PC{k + 1} ({100 * v:.1f}% of training variance)"
                     for k, v in enumerate(self.explained))

    def to_dict(self) -> dict:
        if self.method == "pca":
            return {"explained_variance_ratio": list(self.explained),
                    "fitted_on": "training atoms"}
        return {"kl_divergence": self.kl_divergence, "perplexity": self.perplexity}


def pca_embedding(x: np.ndarray, fit_rows: np.ndarray) -> Embedding:
    """Project rows of x (n, F) on the first two principal axes of x[fit_rows]."""
    from sklearn.decomposition import PCA

    fit = x[fit_rows] if fit_rows.any() else x
    if len(fit) < 2:
        raise MlpotError("a PCA map needs at least two atoms to fit its axes")
    n_components = min(2, x.shape[1], len(fit))
    pca = PCA(n_components=n_components).fit(fit)
    coords = _two_columns(pca.transform(x))
    explained = _two_columns(pca.explained_variance_ratio_[None, :])[0]
    return Embedding("pca", coords, (float(explained[0]), float(explained[1])))


def tsne_embedding(x: np.ndarray, seed: int, perplexity: float = 30.0) -> Embedding:
    """t-SNE of the rows of x (n, F); perplexity is lowered for small n."""
    from sklearn.manifold import TSNE

    if len(x) < 4:
        raise MlpotError(f"a t-SNE map needs at least 4 atoms, got {len(x)}")
    from threadpoolctl import threadpool_limits

    perplexity = float(min(perplexity, (len(x) - 1) / 3))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    # small maps: OpenMP threads only wait for each other (badly so on a busy machine)
    with threadpool_limits(limits=1 if len(x) < SERIAL_TSNE_BELOW else None, user_api="openmp"):
        coords = tsne.fit_transform(x)
    return Embedding("tsne", coords, None, float(tsne.kl_divergence_), perplexity)


def _two_columns(a: np.ndarray) -> np.ndarray:
    """Pad (n, 1) to (n, 2) with zeros (a single descriptor gives a single axis)."""
    return a if a.shape[1] == 2 else np.hstack([a, np.zeros((len(a), 2 - a.shape[1]))])
