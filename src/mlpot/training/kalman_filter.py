"""The global extended Kalman filter update of n2p2 (and RuNNer).

State: the weight vector w (n,), its error covariance P (n, n, float64, symmetric) and the
update count t. One update with k observations (errors xi = y_ref - y(w), Jacobian
H = dy/dw of shape (k, n)):

    A = H P H^T + r(t) I            (k x k)
    K = P H^T A^-1                  (n x k), the Kalman gain
    P = (P - K H P) / f(t) + q(t) I
    w = w + K xi
    q(t) = max(q0 exp(-q_rate t), q_min)

with P(0) = I / epsilon and the rates per update. Two variants (n2p2's
kalman_type):
    "standard":       r = 1 / eta(t), eta(t) = min(eta0 exp(eta_rate t), eta_max); f = 1
    "fading_memory":  r = f = lambda(t), lambda(t+1) = nu lambda(t) + 1 - nu, lambda(0) = lambda0

With r = f = 1 and q = 0 this is recursive least squares: after one pass over a linear
problem w equals the ridge solution (X^T X + epsilon I)^-1 X^T y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

VARIANTS = ("standard", "fading_memory")


@dataclass(frozen=True)
class FilterParameters:
    """Rates per update; see the module docstring for the formulas."""

    variant: str = "standard"
    epsilon: float = 0.01
    q0: float = 0.01
    q_rate: float = 0.0
    q_min: float = 1e-6
    eta0: float = 0.01
    eta_rate: float = 0.0
    eta_max: float = 1.0
    lambda0: float = 0.96
    nu: float = 0.9995

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown Kalman filter variant {self.variant!r}; use {VARIANTS}")


class ExtendedKalmanFilter:
    """Covariance and noise schedules of one global filter over n weights."""

    def __init__(
        self, n_weights: int, parameters: FilterParameters, device: torch.device | str = "cpu"
    ):
        self.parameters = parameters
        self.P = torch.eye(n_weights, dtype=torch.float64, device=device) / parameters.epsilon
        self.lam = parameters.lambda0
        self.updates = 0

    @property
    def q(self) -> float:
        """Process noise added to the diagonal of P by the next update."""
        p = self.parameters
        return max(p.q0 * math.exp(-p.q_rate * self.updates), p.q_min)

    @property
    def eta(self) -> float:
        """Learning rate of the next standard update: its measurement noise is 1 / eta."""
        p = self.parameters
        return min(p.eta0 * math.exp(p.eta_rate * self.updates), p.eta_max)

    def step(self, errors: torch.Tensor, jacobian: torch.Tensor) -> torch.Tensor:
        """Update P and the schedules for errors (k,) and Jacobian (k, n); returns the change
        of the weights K xi (n,).

        With A = L L^T (Cholesky) and B = L^-1 H P, K H P = B^T B: the covariance update is a
        symmetric rank-k downdate, and K xi = B^T L^-1 xi.
        """
        fading = self.parameters.variant == "fading_memory"
        h = jacobian.to(self.P)
        x = h @ self.P  # (k, n) = H P
        a = x @ h.T
        a.diagonal().add_(self.lam if fading else 1.0 / self.eta)
        chol = torch.linalg.cholesky(a)
        b = torch.linalg.solve_triangular(chol, x, upper=False)
        scaled = torch.linalg.solve_triangular(chol, errors.to(self.P)[:, None], upper=False)
        self.P.addmm_(b.T, b, alpha=-1.0)
        if fading:
            self.P.mul_(1.0 / self.lam)
            self.lam = self.parameters.nu * self.lam + 1.0 - self.parameters.nu
        self.P.diagonal().add_(self.q)
        self.updates += 1
        return (b.T @ scaled).squeeze(1)

    def symmetrize(self) -> None:
        """Remove the round-off asymmetry that accumulates in P over many updates."""
        self.P.copy_(0.5 * (self.P + self.P.T))

    def state_dict(self) -> dict:
        return {"P": self.P.detach().cpu().clone(), "lambda": self.lam, "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        if state["P"].shape != self.P.shape:
            raise ValueError(
                f"a Kalman covariance of shape {tuple(state['P'].shape)} does not fit "
                f"{self.P.shape[0]} weights"
            )
        self.P.copy_(state["P"])
        self.lam = float(state["lambda"])
        self.updates = int(state["updates"])
