"""run_md with EMT on small Cu cells: conservation, thermostat, barostat, outputs, errors."""

import csv

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import read

from mlpot.errors import MlpotError
from mlpot.simulation.md import LOG_COLUMNS, run_md


def _cu():
    return bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)  # 32 atoms


def _run(atoms=None, **kwargs):
    settings = dict(ensemble="nve", temperature_K=300, timestep_fs=1.0, steps=20, interval=5,
                    seed=0, progress=False)
    settings.update(kwargs)
    return run_md(_cu() if atoms is None else atoms, EMT(), **settings)


def test_nve_conserves_total_energy():
    result = _run(steps=100, interval=5)
    etot, epot = result.log["etot_eV"], result.log["epot_eV"]
    assert np.ptp(epot) > 0.3  # energy really moves between potential and kinetic
    assert np.ptp(etot) < 2e-3  # eV for 32 atoms
    assert result.log["ekin_eV"] + epot == pytest.approx(etot)


def test_initial_temperature_and_seed():
    first, second = _run(steps=0), _run(steps=0)
    assert first.log["temperature_K"][0] == pytest.approx(300, rel=0.35)
    assert first.atoms.get_momenta().sum(axis=0) == pytest.approx(np.zeros(3), abs=1e-10)
    assert first.atoms.get_momenta() == pytest.approx(second.atoms.get_momenta())
    assert not np.allclose(_run(steps=0, seed=1).atoms.get_momenta(), first.atoms.get_momenta())


def test_nvt_holds_target_temperature_where_nve_halves_it():
    # from a perfect lattice, equipartition takes NVE to about half the initial temperature
    settings = dict(temperature_K=600, timestep_fs=2.0, steps=150, interval=5)
    nvt = _run(ensemble="nvt", friction_per_fs=0.05, **settings).log["temperature_K"]
    nve = _run(ensemble="nve", **settings).log["temperature_K"]
    assert np.mean(nvt[15:]) == pytest.approx(600, rel=0.2)
    assert np.mean(nve[15:]) < 450


def test_nvt_is_reproducible_with_a_seed():
    a = _run(ensemble="nvt", seed=3, friction_per_fs=0.1).log["epot_eV"]
    b = _run(ensemble="nvt", seed=3, friction_per_fs=0.1).log["epot_eV"]
    assert a == pytest.approx(b, abs=0)


def test_npt_compresses_under_pressure():
    settings = dict(ensemble="npt", timestep_fs=2.0, steps=40, interval=10, taup_fs=100,
                    taut_fs=50)
    free = _run(pressure_GPa=0.0, **settings)
    squeezed = _run(pressure_GPa=10.0, **settings)
    v0 = free.log["volume_A3"][0]
    assert v0 == pytest.approx(3.6**3 * 8)
    assert squeezed.atoms.get_volume() == pytest.approx(squeezed.log["volume_A3"][-1])
    assert np.mean(squeezed.log["volume_A3"][1:]) < 0.97 * v0
    assert np.mean(free.log["volume_A3"][1:]) > 0.99 * v0
    assert np.isfinite(squeezed.log["pressure_GPa"]).all()


def test_log_csv_columns_and_rows(tmp_path):
    path = tmp_path / "md.csv"
    result = _run(steps=20, interval=5, timestep_fs=2.0, log=path)
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == LOG_COLUMNS
    table = np.array(rows[1:], dtype=float)
    assert table[:, 0].tolist() == [0, 5, 10, 15, 20]
    assert table[:, 1] == pytest.approx([0, 0.01, 0.02, 0.03, 0.04])  # ps
    for i, name in enumerate(LOG_COLUMNS):
        assert table[:, i] == pytest.approx(result.log[name], rel=1e-8), name
    assert result.n_records == 5


def test_pressure_is_nan_for_a_molecule(tmp_path):
    molecule = Atoms("Cu3", positions=[[0, 0, 0], [2.5, 0, 0], [0, 2.5, 0]])
    result = _run(atoms=molecule, steps=5, interval=5, log=tmp_path / "md.csv")
    assert np.isnan(result.log["volume_A3"]).all()
    assert np.isnan(result.log["pressure_GPa"]).all()
    assert np.isfinite(result.log["temperature_K"]).all()
    with open(tmp_path / "md.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["volume_A3"], r["pressure_GPa"]) for r in rows] == [("", "")] * 2  # not "nan"


@pytest.mark.parametrize("name", ["md.traj", "md.xyz"])
def test_trajectory_is_written(tmp_path, name):
    path = tmp_path / name
    result = _run(steps=10, interval=5, trajectory=path)
    frames = read(path, index=":")
    assert len(frames) == 3
    assert frames[-1].positions == pytest.approx(result.atoms.positions, abs=1e-6)
    assert frames[-1].get_potential_energy() == pytest.approx(result.log["epot_eV"][-1])


def test_observers_are_called_every_interval():
    calls = []
    _run(steps=10, interval=5, observers=[lambda atoms, step: calls.append((len(atoms), step))])
    assert calls == [(32, 0), (32, 5), (32, 10)]


def test_npt_needs_a_periodic_cell():
    molecule = Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 2.3]])
    with pytest.raises(MlpotError, match="NPT needs a structure periodic"):
        _run(atoms=molecule, ensemble="npt")


class _NoStressEMT(EMT):
    implemented_properties = ["energy", "free_energy", "forces"]


def test_npt_needs_stress():
    with pytest.raises(MlpotError, match="_NoStressEMT does not compute"):
        run_md(_cu(), _NoStressEMT(), ensemble="npt", temperature_K=300, timestep_fs=1,
               steps=2, progress=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(ensemble="nph"), "unknown ensemble"),
        (dict(timestep_fs=0.0), "timestep must be positive"),
        (dict(temperature_K=-1.0), "temperature must be"),
        (dict(interval=0), "interval >= 1"),
        (dict(trajectory="md.pdb"), "unsupported extension '.pdb'"),
    ],
)
def test_invalid_settings(tmp_path, kwargs, message):
    if "trajectory" in kwargs:
        kwargs["trajectory"] = tmp_path / kwargs["trajectory"]
    with pytest.raises(MlpotError, match=message):
        _run(log=tmp_path / "md.csv", **kwargs)
    assert not (tmp_path / "md.csv").exists()


class _ExplodingEMT(EMT):
    def calculate(self, *args, **kwargs):
        super().calculate(*args, **kwargs)
        self.results["energy"] = float("nan")


def test_unstable_run_stops_with_a_clear_error():
    with pytest.raises(MlpotError, match="step 0: potential energy is nan"):
        run_md(_cu(), _ExplodingEMT(), ensemble="nve", temperature_K=300, timestep_fs=1,
               steps=5, progress=False)
