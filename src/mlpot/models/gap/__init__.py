"""Gaussian approximation potentials (family "gap"): SOAP + two-body sparse GP, docs/gap.md."""

from mlpot.models.gap.config import GapConfig, build_gap, fit_gap_section
from mlpot.models.gap.model import GapPotential

__all__ = ["GapConfig", "GapPotential", "build_gap", "fit_gap_section"]
