"""How `mlpot train` builds and fits family "gap" from its config section
(mlpot.config.gap_section.GapConfig)."""

from __future__ import annotations

from mlpot.config.gap_section import GapConfig, SoapSection
from mlpot.models.gap.fit import FitSettings, fit_gap
from mlpot.models.gap.kernels import TwoBodySettings
from mlpot.models.gap.model import GapPotential
from mlpot.models.gap.soap import SoapSettings


def build_gap(section: GapConfig, context) -> GapPotential:
    """A GAP without sparse points for the training data's elements."""
    return GapPotential(context.elements, soap_settings(section.soap),
                        TwoBodySettings(**section.two_body.model_dump()), section.zeta,
                        section.delta, fidelities=context.fidelities)


def soap_settings(soap: SoapSection) -> SoapSettings:
    """The model's SoapSettings of a config's `soap` section."""
    plain = soap.model_dump(exclude={"radial_scaling"})
    scaling = {f"scaling_{k}": v for k, v in soap.radial_scaling.model_dump().items()}
    return SoapSettings(**plain, **scaling)


def fit_settings(section: GapConfig, seed: int) -> FitSettings:
    s = section.sigma
    return FitSettings(section.n_sparse, section.sparse_method, s.energy, s.force, s.virial,
                       section.jitter, seed)


def fit_gap_section(
    model, section: GapConfig, frames, prepared, keep_function: bool, seed: int
) -> None:
    """The family's `fit`: sparse points (randomised CUR from `seed`) and the closed-form
    solve (prepared inputs are not used)."""
    fit_gap(model, fit_settings(section, seed), frames, keep_function)
