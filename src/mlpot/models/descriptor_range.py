"""The training range of each descriptor, stored in the model: what extrapolation means.

Each element's network remembers the smallest and largest value of every symmetry function over
its training atoms (fitted in mlpot.training.fit_preprocessing); mlpot.uncertainty counts the
functions outside it (n2p2's extrapolation warnings). Models saved before ranges were stored
load with the range unknown (-inf, +inf).
"""

from __future__ import annotations

import torch
from torch import nn

# Values beyond a bound by less than this fraction of the bound's magnitude (or of the range
# width, if larger) are rounding, not extrapolation: training descriptors and those of a run
# come from different kernels, and float32 models store rounded bounds.
RELATIVE_TOLERANCE = 1e-6


class DescriptorRange(nn.Module):
    """Per-function minimum and maximum over the training atoms of one element (F columns)."""

    def __init__(self, n_features: int, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.register_buffer("low", torch.full((n_features,), -torch.inf, dtype=dtype))
        self.register_buffer("high", torch.full((n_features,), torch.inf, dtype=dtype))

    @property
    def known(self) -> bool:
        """False until fitted (and for models saved before ranges were stored)."""
        return not bool((self.low == -torch.inf).all() and (self.high == torch.inf).all())

    def fit(self, descriptors: torch.Tensor) -> None:
        """The range of (A, F) training descriptors of this element; with no atoms (A = 0) the
        range is empty and every value lies outside it."""
        g = descriptors.to(self.low.dtype)
        if len(g) == 0:
            self.low.fill_(torch.inf)
            self.high.fill_(-torch.inf)
            return
        self.low.copy_(g.min(0).values)
        self.high.copy_(g.max(0).values)

    def widen(self, low: torch.Tensor, high: torch.Tensor) -> None:
        """Extend the range to cover [low, high] as well (per function)."""
        torch.minimum(self.low, low.to(self.low.dtype), out=self.low)
        torch.maximum(self.high, high.to(self.high.dtype), out=self.high)

    def count_outside(self, descriptors: torch.Tensor) -> torch.Tensor:
        """(A,) number of functions outside the range, for (A, F) descriptors."""
        g = descriptors.to(self.low.dtype)
        magnitude = torch.maximum(self.low.abs(), self.high.abs())
        tolerance = RELATIVE_TOLERANCE * torch.maximum(magnitude, self.high - self.low)
        tolerance = torch.nan_to_num(tolerance, posinf=0.0)
        outside = (g < self.low - tolerance) | (g > self.high + tolerance)
        return outside.sum(1)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # files written before ranges existed lack these keys: keep the range unknown
        for name in ("low", "high"):
            state_dict.setdefault(prefix + name, getattr(self, name))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
