"""`mlpot evaluate` with EMT as the model and EMT-labelled frames with known errors."""

import json

import ase.io
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator

import mlpot.data
from mlpot.cli.main import main
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError

ENERGY_SHIFT = 0.003  # eV/atom added to EMT's energy: 3 meV/atom error
FORCE_SHIFT = 0.02  # eV/Å added to every EMT force component


def _labelled_structures():
    """Rattled Cu and Al-Ni cells labelled with EMT plus known shifts, in two groups."""
    structures = []
    for i in range(4):
        if i % 2:
            atoms = bulk("Cu", "fcc", a=3.62, cubic=True)
        else:
            atoms = bulk("Al", "fcc", a=3.9, cubic=True)
            atoms.numbers[:2] = 28
        atoms.rattle(0.05, seed=i)
        atoms.calc = EMT()
        energy = atoms.get_potential_energy() + ENERGY_SHIFT * len(atoms)
        forces = atoms.get_forces() + FORCE_SHIFT
        stress = atoms.get_stress()
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
        atoms.info["group"] = "cu" if i % 2 else "alni"
        structures.append(atoms)
    return structures


def _frames(structures):
    return [
        Frame(a.numbers, a.positions, a.cell.array, a.pbc, a.get_potential_energy(),
              a.get_forces(), a.get_stress(), group=a.info["group"], source=f"data.xyz:{i}")
        for i, a in enumerate(structures)
    ]


def _check_outputs(out, with_plot=True):
    errors = json.loads((out / "errors.json").read_text())
    assert errors["overall"]["n_frames"] == 4
    assert errors["overall"]["energy"]["mae"] == pytest.approx(1000 * ENERGY_SHIFT)
    assert errors["overall"]["forces"]["mae"] == pytest.approx(FORCE_SHIFT)
    assert errors["overall"]["stress"]["mae"] == pytest.approx(0.0, abs=1e-6)
    assert sorted(errors["groups"]) == ["alni", "cu"]
    assert errors["groups"]["cu"]["forces"]["count"] == 2 * 4 * 3  # frames * atoms * xyz
    assert (out / "parity.png").exists() == with_plot


def test_evaluate_with_given_frames(tmp_path, emt_model, monkeypatch, capsys):
    structures = _labelled_structures()
    entries = []

    def read_frames(entry, **kwargs):
        entries.append(entry)
        return _frames(structures)[:2] if entry == "first" else _frames(structures)[2:]

    monkeypatch.setattr(mlpot.data, "read_frames", read_frames)
    pytest.importorskip("matplotlib")
    out = tmp_path / "eval"
    assert main(["evaluate", "model.pt", "first", "second", "--out", str(out)]) == 0
    assert entries == ["first", "second"] and emt_model == ["model.pt"]
    _check_outputs(out)
    printed = capsys.readouterr().out
    assert "all frames" in printed and "alni" in printed and "meV/atom" in printed


def test_evaluate_reads_extxyz_end_to_end(tmp_path, emt_model, monkeypatch):
    try:
        from mlpot.data import read_frames  # noqa: F401
    except ImportError:
        pytest.skip("mlpot.data.read_frames is not available")
    ase.io.write(tmp_path / "data.xyz", _labelled_structures(), format="extxyz")
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", "model.pt", "data.xyz", "--out", "out", "--no-plot"]) == 0
    _check_outputs(tmp_path / "out", with_plot=False)


def test_data_errors_are_reported(tmp_path, emt_model, monkeypatch, capsys):
    def read_frames(entry, **kwargs):
        raise MlpotError(f"'{entry}': no such file")

    monkeypatch.setattr(mlpot.data, "read_frames", read_frames)
    assert main(["evaluate", "model.pt", "missing.xyz", "--no-plot",
                 "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "mlpot evaluate: error: 'missing.xyz': no such file\n"
    assert not (tmp_path / "errors.json").exists()


def test_no_frames_is_an_error(tmp_path, emt_model, monkeypatch, capsys):
    monkeypatch.setattr(mlpot.data, "read_frames", lambda entry, **kwargs: [])
    assert main(["evaluate", "model.pt", "empty.xyz", "--no-plot", "--out", str(tmp_path)]) == 2
    assert "no frames in empty.xyz" in capsys.readouterr().err


def test_missing_matplotlib_is_reported_before_predicting(tmp_path, emt_model, monkeypatch,
                                                          capsys):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    assert main(["evaluate", "model.pt", "data.xyz", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert 'pip install "mlpot[plot]"' in err and "--no-plot" in err
    assert emt_model == []

