"""The shipped SevenNet and CHGNet weights, where their packages are installed
(pip install 'mlpot[universal]'); skipped without them."""

import ase.io
import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator

from mlpot.calculators import load_calculator
from mlpot.cli.main import main
from mlpot.errors import MlpotError


def _silicon(seed: int = 0):
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    atoms.rattle(0.05, seed=seed)
    atoms.set_cell(atoms.cell.array @ [[1, 0.02, 0], [0, 1, 0], [0, 0, 0.99]], scale_atoms=True)
    return atoms


def _central_difference(atoms, change, step):
    """(E(+step) - E(-step)) / (2 step) for change(atoms copy, +-step)."""
    energies = []
    for sign in (1, -1):
        moved = atoms.copy()
        moved.calc = atoms.calc
        change(moved, sign * step)
        energies.append(moved.get_potential_energy())
    return (energies[0] - energies[1]) / (2 * step)


def _move(moved, step):
    moved.positions[3, 1] += step


def _strain_xx(moved, step):
    moved.set_cell(moved.cell.array @ np.diag([1 + step, 1, 1]), scale_atoms=True)


@pytest.mark.parametrize(("name", "package"), [("sevennet-0", "sevenn"), ("chgnet", "chgnet")])
def test_shipped_models_give_ase_forces_and_stress(name, package):
    pytest.importorskip(package)
    atoms = _silicon()
    atoms.calc = load_calculator(name)
    energy = atoms.get_potential_energy() / len(atoms)
    assert -5.6 < energy < -5.2  # silicon near equilibrium, eV/atom (PBE about -5.42)
    force = atoms.get_forces()[3, 1]
    stress = atoms.get_stress()[0]  # ASE: (1/V) dE/d(strain)
    # float32 models: finite differences agree to about 1e-3 eV/Å
    assert force == pytest.approx(-_central_difference(atoms, _move, 1e-3), abs=3e-3)
    volume = atoms.get_volume()
    assert stress == pytest.approx(_central_difference(atoms, _strain_xx, 1e-3) / volume,
                                   abs=2e-4)


def test_sevennet_mf_fidelities():
    pytest.importorskip("sevenn")
    atoms = _silicon()
    energies = {}
    for spec in ("sevennet-mf-0", "sevennet-mf-0:PBE", "sevennet-mf-0:R2SCAN"):
        atoms.calc = load_calculator(spec)
        energies[spec] = atoms.get_potential_energy()
    assert energies["sevennet-mf-0"] == energies["sevennet-mf-0:PBE"]  # its default
    assert abs(energies["sevennet-mf-0:R2SCAN"] - energies["sevennet-mf-0:PBE"]) > 1.0
    with pytest.raises(MlpotError, match="no fidelity 'HSE'.*R2SCAN, PBE"):
        load_calculator("sevennet-mf-0:HSE")
    with pytest.raises(MlpotError, match="no fidelity 'PBE'.*one fidelity"):
        load_calculator("sevennet-0:PBE")


def test_chgnet_has_one_fidelity():
    pytest.importorskip("chgnet")
    with pytest.raises(MlpotError, match="has one fidelity: drop ':PBE'"):
        load_calculator("chgnet:PBE")


def test_evaluate_chgnet_recovers_the_offset_of_its_own_labels(tmp_path, capsys):
    pytest.importorskip("chgnet")
    calc = load_calculator("chgnet")
    frames = []
    for seed in range(3):
        atoms = _silicon(seed)
        atoms.calc = calc
        labels = {"energy": atoms.get_potential_energy() + 0.25 * len(atoms),
                  "forces": atoms.get_forces(), "stress": atoms.get_stress()}
        atoms.calc = SinglePointCalculator(atoms, **labels)
        frames.append(atoms)
    ase.io.write(tmp_path / "train.xyz", frames[:2])
    ase.io.write(tmp_path / "test.xyz", frames[2:])
    assert main(["evaluate", "chgnet", str(tmp_path / "test.xyz"), "--offsets-from",
                 str(tmp_path / "train.xyz"), "--out", str(tmp_path), "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "energy offsets (eV/atom, fitted on 2 frames): Si +0.2500" in out


def test_weights_are_loaded_once_per_process_and_shared():
    pytest.importorskip("chgnet")
    from mlpot.active.label import make_oracle

    first = make_oracle(calculator="chgnet", factory=None, kwargs={})
    second = make_oracle(calculator="CHGNet-0.3.0", factory=None, kwargs={})
    assert first is not second and first.model is second.model
