"""The `model: {family: gap}` section of training configs (family "gap", docs/gap.md): plain
data, built and fitted by mlpot.models.gap.config."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlpot.config.sections import Section


class RadialScalingSection(Section):
    """Each neighbour's density scaled by rate / (rate + (r / scale)^exponent) (Willatt et
    al. 2018; scale in Å): near neighbours weigh more than far ones; exponent 0: unscaled."""

    scale: float = Field(4.0, gt=0)
    exponent: int = Field(6, ge=0)
    rate: float = Field(1.0, gt=0)


class SoapSection(Section):
    """SOAP descriptor (Å): cutoff, cosine smoothing width, l_max, n_max, atom_sigma;
    l_weight: channel l scaled by (2l + 1)^-l_weight; radial_scaling of the neighbours'
    densities."""

    cutoff: float = Field(6.0, gt=0)
    width: float = Field(0.5, gt=0)
    l_max: int = Field(8, ge=0, le=12)
    n_max: int = Field(8, ge=1, le=16)
    atom_sigma: float = Field(0.5, gt=0)
    l_weight: float = Field(1.0, ge=0)
    radial_scaling: RadialScalingSection = RadialScalingSection()


class TwoBodySection(Section):
    """Two-body GP on distances (Å, eV): n_points 0 switches it off."""

    cutoff: float = Field(6.0, gt=0)
    width: float = Field(1.0, gt=0)
    r_min: float = Field(1.5, ge=0)
    n_points: int = Field(15, ge=0)
    theta: float = Field(0.5, gt=0)
    delta: float = Field(1.0, gt=0)


class SigmaSection(Section):
    """Expected errors: energy eV/atom, force eV/Å, virial eV/atom (GAP's sigma_per_atom);
    a group of weight w gets sigma / sqrt(w)."""

    energy: float = Field(0.001, gt=0)
    force: float = Field(0.03, gt=0)
    virial: float = Field(0.05, gt=0)


class GapConfig(Section):
    """A Gaussian approximation potential (docs/gap.md)."""

    family: Literal["gap"]
    soap: SoapSection = SoapSection()
    two_body: TwoBodySection = TwoBodySection()
    zeta: int = Field(4, ge=1)
    delta: float = Field(1.0, gt=0)
    n_sparse: int = Field(1000, ge=1)  # per element (added per element when continuing)
    sparse_method: Literal["cur", "farthest"] = "cur"
    sigma: SigmaSection = SigmaSection()
    jitter: float = Field(1e-8, ge=0)
