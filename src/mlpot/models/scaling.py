"""Descriptor preprocessing fitted on training data: scaling and optional PCA whitening.

x' = (G - shift) / scale, then, with PCA, x'' = (x' - mean) @ rotation (whitened components).
Everything is an affine map x'' = G @ A + c, which is what `affine` returns (for export and
for folding into the first network layer).
"""

from __future__ import annotations

import torch
from torch import nn

SCALINGS = ("minmax", "meanstd", "none")


class DescriptorScaler(nn.Module):
    """Affine preprocessing of one element's descriptors (F columns)."""

    def __init__(self, n_features: int, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.register_buffer("shift", torch.zeros(n_features, dtype=dtype))
        self.register_buffer("scale", torch.ones(n_features, dtype=dtype))
        self.register_buffer("pca_mean", torch.zeros(n_features, dtype=dtype))
        self.register_buffer("pca_rotation", torch.eye(n_features, dtype=dtype))

    def fit(
        self, descriptors: torch.Tensor, kind: str, pca: bool, pca_epsilon: float = 0.0
    ) -> None:
        """Fit from (A, F) training descriptors of this element; pca_epsilon is added to every
        principal variance before whitening."""
        if kind not in SCALINGS:
            raise ValueError(f"unknown scaling {kind!r}; choose one of {SCALINGS}")
        g = descriptors.to(self.shift.dtype)
        if kind == "minmax":
            lo, hi = g.min(0).values, g.max(0).values
            self.shift.copy_(lo)
            self.scale.copy_(_nonzero(hi - lo))
        elif kind == "meanstd":
            self.shift.copy_(g.mean(0))
            self.scale.copy_(_nonzero(g.std(0, unbiased=False)))
        if pca:
            self._fit_pca((g - self.shift) / self.scale, pca_epsilon)

    def _fit_pca(self, x: torch.Tensor, epsilon: float) -> None:
        mean = x.mean(0)
        cov = (x - mean).T @ (x - mean) / max(len(x) - 1, 1)
        values, vectors = torch.linalg.eigh(cov)
        order = torch.argsort(values, descending=True)
        values, vectors = values[order], vectors[:, order]
        floor = values.max().clamp_min(1e-30) * 1e-10
        self.pca_mean.copy_(mean)
        self.pca_rotation.copy_(vectors / (values.clamp_min(floor) + epsilon).sqrt())

    def forward(self, g: torch.Tensor) -> torch.Tensor:
        return ((g - self.shift) / self.scale - self.pca_mean) @ self.pca_rotation

    def affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(A (F, F), c (F,)) with forward(g) == g @ A + c."""
        a = self.pca_rotation / self.scale[:, None]
        c = -(self.shift / self.scale + self.pca_mean) @ self.pca_rotation
        return a, c


def _nonzero(width: torch.Tensor) -> torch.Tensor:
    """Constant columns (zero width) are left unscaled rather than divided by zero."""
    return torch.where(width > 1e-12, width, torch.ones_like(width))
