"""NVE energy conservation with EMT: drift fit, good against too large timesteps."""

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.analysis.properties.nve import NVEResult, nve_energy_conservation
from mlpot.errors import MlpotError


def test_drift_fit_of_a_known_line():
    time = np.linspace(0, 2, 21)
    total = 8 * (-3.0 + 2e-3 * time) + 1e-4 * np.sin(40 * time)
    result = NVEResult(8, time, total, total - 1.0, np.ones_like(time), 300 * np.ones_like(time))
    slope, intercept = result.drift_fit()
    assert slope == pytest.approx(2e-3, rel=0.02)
    assert intercept == pytest.approx(-3.0, abs=1e-4)
    summary = result.summary()
    assert summary["fluctuation_eV_per_atom"] == pytest.approx(1e-4 / 8 / np.sqrt(2), rel=0.2)
    assert result.flagged() and "drifts by 0.002" in result.warnings()[0]
    assert summary["mean_temperature_K"] == 300


def test_small_timestep_conserves_energy_and_large_one_does_not(tmp_path):
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    settings = dict(temperature_K=1000, steps=200, interval=5, seed=1, threshold=3e-5)
    good = nve_energy_conservation(
        atoms, EMT(), timestep_fs=1.0, log=tmp_path / "nve.csv", **settings
    )
    bad = nve_energy_conservation(atoms, EMT(), timestep_fs=10.0, **settings)
    assert np.ptp(good.potential) > 0.1  # energy really flows between potential and kinetic
    good_drift = abs(good.summary()["drift_eV_per_atom_per_ps"])
    assert good_drift < 3e-5 and not good.flagged() and not good.warnings()
    assert abs(bad.summary()["drift_eV_per_atom_per_ps"]) > 5 * good_drift and bad.flagged()
    assert bad.summary()["fluctuation_eV_per_atom"] > 30 * good.summary()["fluctuation_eV_per_atom"]
    assert good.time_ps[-1] == pytest.approx(0.2) and len(good.time_ps) == 41
    assert len((tmp_path / "nve.csv").read_text().splitlines()) == 42
    assert np.all(atoms.get_momenta() == 0)  # the input is not modified


def test_needs_two_intervals():
    with pytest.raises(MlpotError, match="at least two logged intervals"):
        nve_energy_conservation(bulk("Cu", cubic=True), EMT(), steps=10, interval=10)
