"""The GAP family (SOAP + two-body sparse GP): physics suite, kernels against references,
the solve, the variance and training from a config."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase.build import bulk
from ase.calculators.emt import EMT

pytest.importorskip("featomic")

from mlpot.data.frame import Frame  # noqa: E402
from mlpot.models.gap.fit import FitSettings, fit_gap  # noqa: E402
from mlpot.models.gap.kernels import TwoBodySettings  # noqa: E402
from mlpot.models.gap.model import GapPotential  # noqa: E402
from mlpot.models.gap.soap import SoapSettings  # noqa: E402
from mlpot.testing.suite import PotentialPhysicsTests  # noqa: E402

SOAP = SoapSettings(cutoff=4.0, width=1.0, l_max=3, n_max=3, atom_sigma=0.5)
TWO_BODY = TwoBodySettings(cutoff=4.0, width=1.0, r_min=1.8, n_points=6, theta=0.6)


def emt_frames(count: int, seed: int = 0, rattle: float = 0.08) -> list[Frame]:
    """Rattled, strained Cu/Ni fcc cells labelled by EMT."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(count):
        atoms = bulk("Cu", "fcc", a=3.6 * (1 + rng.uniform(-0.03, 0.03)), cubic=True)
        atoms.numbers[rng.choice(4, size=k % 3, replace=False)] = 28
        atoms.positions += rng.normal(0, rattle, atoms.positions.shape)
        atoms.calc = EMT()
        frames.append(Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc,
                            atoms.get_potential_energy(), atoms.get_forces(),
                            atoms.get_stress(), source=f"emt:{k}"))
    return frames


def fitted_model(n_frames: int = 6, n_sparse: int = 8, **settings) -> GapPotential:
    model = GapPotential(("Cu", "Ni"), SOAP, TWO_BODY)
    fit_gap(model, FitSettings(n_sparse=n_sparse, **settings), emt_frames(n_frames))
    return model


class TestGapPhysics(PotentialPhysicsTests):
    fd_rtol = 1e-4  # stress of a triclinic cell: 7e-5 of the largest component (see docs)

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return fitted_model()
