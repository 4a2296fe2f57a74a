"""The Kalman filter update: exact on linear least squares, its noise schedules, its state."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlpot.training.kalman_filter import ExtendedKalmanFilter, FilterParameters

# r = 1 and q = 0: the filter is recursive least squares with the prior N(0, I / epsilon)
LEAST_SQUARES = {
    "standard": FilterParameters("standard", epsilon=1e-2, q0=0.0, q_min=0.0, eta0=1.0),
    "fading_memory": FilterParameters(
        "fading_memory", epsilon=1e-2, q0=0.0, q_min=0.0, lambda0=1.0, nu=1.0
    ),
}


def linear_problem(n_rows: int = 60, n_weights: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.normal(size=(n_rows, n_weights)))
    y = x @ torch.from_numpy(rng.normal(size=n_weights)) + 0.1 * torch.randn(
        n_rows, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)
    )
    return x, y


def one_pass(kf: ExtendedKalmanFilter, x: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    w = torch.zeros(x.shape[1], dtype=torch.float64)
    for start in range(0, len(x), k):
        rows = slice(start, start + k)
        w = w + kf.step(y[rows] - x[rows] @ w, x[rows])
    return w


@pytest.mark.parametrize("variant", sorted(LEAST_SQUARES))
@pytest.mark.parametrize("k", [1, 7, 60])
def test_one_pass_gives_the_exact_ridge_solution_and_its_covariance(variant, k):
    x, y = linear_problem()
    parameters = LEAST_SQUARES[variant]
    kf = ExtendedKalmanFilter(x.shape[1], parameters)
    w = one_pass(kf, x, y, k)
    normal = x.T @ x + parameters.epsilon * torch.eye(x.shape[1], dtype=torch.float64)
    torch.testing.assert_close(w, torch.linalg.solve(normal, x.T @ y), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(kf.P, torch.linalg.inv(normal), rtol=1e-9, atol=1e-12)


def test_weak_prior_converges_to_the_least_squares_solution():
    x, y = linear_problem(n_rows=200, n_weights=12, seed=3)
    kf = ExtendedKalmanFilter(
        x.shape[1], FilterParameters(epsilon=1e-9, q0=0.0, q_min=0.0, eta0=1.0)
    )
    w = one_pass(kf, x, y, k=10)
    exact = torch.linalg.lstsq(x, y[:, None]).solution.squeeze(1)
    torch.testing.assert_close(w, exact, rtol=1e-6, atol=1e-8)


def test_nonlinear_observations_are_fitted_by_repeated_passes():
    """y = tanh(x . w): linearised updates (the 'extended' filter) reach the true weights;
    process noise keeps P from collapsing on the early, poor linearisations."""
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.normal(size=(100, 5)))
    truth = torch.from_numpy(rng.normal(size=5)) / 2
    y = torch.tanh(x @ truth)
    kf = ExtendedKalmanFilter(
        5, FilterParameters(epsilon=1.0, q0=1e-2, q_min=1e-2, eta0=100.0, eta_max=100.0)
    )
    w = torch.zeros(5, dtype=torch.float64)
    for _ in range(3):
        for i in range(len(x)):
            prediction = torch.tanh(x[i] @ w)
            jacobian = ((1 - prediction**2) * x[i])[None]
            w = w + kf.step((y[i] - prediction)[None], jacobian)
    torch.testing.assert_close(w, truth, rtol=0, atol=1e-10)


def test_noise_schedules_follow_their_formulas():
    p = FilterParameters(
        "standard", q0=0.01, q_rate=0.3, q_min=1e-4, eta0=0.01, eta_rate=0.5, eta_max=1.0
    )
    kf = ExtendedKalmanFilter(3, p)
    h = torch.eye(3, dtype=torch.float64)[:1]
    for t in range(20):
        assert kf.q == pytest.approx(max(0.01 * math.exp(-0.3 * t), 1e-4))
        assert kf.eta == pytest.approx(min(0.01 * math.exp(0.5 * t), 1.0))
        kf.step(torch.zeros(1, dtype=torch.float64), h)
    fading = ExtendedKalmanFilter(3, FilterParameters("fading_memory", lambda0=0.9, nu=0.99))
    lam = 0.9
    for _ in range(20):
        assert fading.lam == pytest.approx(lam)
        fading.step(torch.zeros(1, dtype=torch.float64), h)
        lam = 0.99 * lam + 0.01
    assert fading.lam == pytest.approx(1 - 0.1 * 0.99**20)


def test_covariance_stays_float64_symmetric_and_positive_definite():
    rng = np.random.default_rng(2)
    kf = ExtendedKalmanFilter(
        30, FilterParameters("fading_memory", epsilon=0.01, q0=1e-3, lambda0=0.98, nu=0.999)
    )
    for _ in range(200):
        h = torch.from_numpy(rng.normal(size=(3, 30))).float()  # a float32 model's Jacobian
        kf.step(torch.from_numpy(rng.normal(size=3)).float(), h)
    kf.symmetrize()
    assert kf.P.dtype == torch.float64
    torch.testing.assert_close(kf.P, kf.P.T, rtol=0, atol=0)
    assert torch.linalg.eigvalsh(kf.P).min() > 0


def test_state_round_trip_and_shape_check():
    x, y = linear_problem()
    kf = ExtendedKalmanFilter(8, LEAST_SQUARES["fading_memory"])
    one_pass(kf, x[:30], y[:30], k=3)
    copy = ExtendedKalmanFilter(8, LEAST_SQUARES["fading_memory"])
    copy.load_state_dict(kf.state_dict())
    assert (copy.lam, copy.updates) == (kf.lam, kf.updates)
    torch.testing.assert_close(copy.P, kf.P, rtol=0, atol=0)
    with pytest.raises(ValueError, match="does not fit 9 weights"):
        ExtendedKalmanFilter(9, LEAST_SQUARES["standard"]).load_state_dict(kf.state_dict())


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="unknown Kalman filter variant"):
        FilterParameters("extended")
