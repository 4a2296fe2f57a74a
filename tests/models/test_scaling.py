"""Descriptor scaling and PCA whitening: the fitted map, its affine form, the regularised
whitening of barely sampled directions."""

import pytest
import torch

from mlpot.models.scaling import DescriptorScaler


def _correlated(n_rows: int = 400, seed: int = 0) -> torch.Tensor:
    """Four columns: two independent, one their combination, one nearly constant."""
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(n_rows, 2, generator=gen, dtype=torch.float64)
    tiny = 1e-4 * torch.randn(n_rows, 1, generator=gen, dtype=torch.float64)
    return torch.cat([a, a[:, :1] + 0.5 * a[:, 1:], 3.0 + tiny], dim=1)


@pytest.mark.parametrize("kind", ["minmax", "meanstd", "none"])
def test_whitened_training_descriptors_have_unit_covariance(kind):
    g = _correlated()
    scaler = DescriptorScaler(4)
    scaler.fit(g, kind, pca=True)
    x = scaler(g)
    cov = x.T @ x / (len(x) - 1)
    assert torch.allclose(x.mean(0), torch.zeros(4, dtype=torch.float64), atol=1e-10)
    # three directions with variance; the exactly dependent one is left at the floor
    assert torch.allclose(torch.diagonal(cov)[:3], torch.ones(3, dtype=torch.float64), atol=1e-8)


def test_affine_form_equals_forward():
    g = _correlated()
    scaler = DescriptorScaler(4)
    scaler.fit(g, "minmax", pca=True, pca_epsilon=1e-3)
    a, c = scaler.affine()
    new = _correlated(seed=1)
    assert torch.allclose(new @ a + c, scaler(new), rtol=1e-10, atol=1e-9)


def test_pca_epsilon_caps_amplification_of_barely_sampled_directions():
    g = _correlated()
    plain, regularised = DescriptorScaler(4), DescriptorScaler(4)
    plain.fit(g, "minmax", pca=True)
    epsilon = 1e-3
    regularised.fit(g, "minmax", pca=True, pca_epsilon=epsilon)
    x = (g - plain.shift) / plain.scale
    variances = torch.linalg.eigvalsh(torch.cov(x.T)).flip(0)
    # column norms of the rotation are 1 / sqrt(variance (+ epsilon)), largest variance first
    norms_plain = plain.pca_rotation.norm(dim=0)
    norms_reg = regularised.pca_rotation.norm(dim=0)
    assert torch.allclose(norms_reg, (variances.clamp_min(0) + epsilon).rsqrt(), rtol=1e-6)
    assert norms_reg.max() <= epsilon**-0.5 * (1 + 1e-12)
    assert norms_plain.max() > 100 * norms_reg.max()  # unregularised: amplified
    # well-sampled directions keep (nearly) unit variance
    w = regularised(g)
    top = torch.var(w[:, 0])
    assert abs(float(top) - float(variances[0] / (variances[0] + epsilon))) < 1e-8
