"""Per-element energy offsets: least squares against a hand-solved case, the wrapping
calculator, and `mlpot evaluate` of a universal model (the stand-in) printing them."""

import json

import ase.io
import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator

from mlpot.cli.main import main
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError
from mlpot.universal.offsets import OffsetCalculator, Offsets, fit_offsets

# eV/atom that the stand-in's (EMT's) energies lack against the "DFT" labels below
SHIFT = {"Cu": 0.5, "Al": 0.2, "Ni": -0.3}


def _frame(symbols: str, energy: float) -> Frame:
    atoms = Atoms(symbols, positions=np.arange(3 * len(Atoms(symbols))).reshape(-1, 3))
    return Frame(atoms.numbers, atoms.positions, np.zeros((3, 3)), np.zeros(3, bool), energy)


def test_offsets_solve_a_hand_computed_least_squares_case():
    # per-atom residuals (reference - model) 1.0 (Si2), 2.0 (Ge4), 1.8 (SiGe): minimising
    # (a-1)^2 + (b-2)^2 + ((a+b)/2-1.8)^2 gives a+b = 3.2, a-b = -1, so a = 1.1, b = 2.1
    frames = [_frame("Si2", 2 * 1.0 - 10), _frame("Ge4", 4 * 2.0 - 20), _frame("SiGe", 3.6 - 7)]
    offsets = fit_offsets(frames, [-10.0, -20.0, -7.0])
    assert offsets.delta == pytest.approx({"Si": 1.1, "Ge": 2.1})
    assert list(offsets.delta) == ["Si", "Ge"]  # by atomic number
    assert offsets.rms_before == pytest.approx(1000 * np.sqrt((1 + 4 + 1.8**2) / 3))
    assert offsets.rms_after == pytest.approx(1000 * np.sqrt((0.01 + 0.01 + 0.04) / 3))
    assert offsets.n_frames == 3


def test_offsets_need_one_energy_per_frame():
    with pytest.raises(MlpotError, match="model energies for every frame"):
        fit_offsets([_frame("Si2", 0.0)], [])


def test_the_offset_calculator_shifts_energies_only():
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.numbers[0] = 28
    atoms.rattle(0.05, seed=1)
    offsets = Offsets({"Ni": -0.3, "Cu": 0.5}, 0.0, 0.0, 1)
    plain = atoms.copy()
    plain.calc = EMT()
    atoms.calc = OffsetCalculator(EMT(), offsets)
    assert atoms.get_potential_energy() == pytest.approx(plain.get_potential_energy() + 1.2)
    assert np.allclose(atoms.get_forces(), plain.get_forces())
    assert np.allclose(atoms.get_stress(), plain.get_stress())
    gold = bulk("Au", "fcc", a=4.1)
    gold.calc = OffsetCalculator(EMT(), offsets)
    with pytest.raises(MlpotError, match="no energy offset for Au"):
        gold.get_potential_energy()


def _labelled(seed: int, n: int) -> list[Atoms]:
    """EMT-labelled rattled Cu and Al-Ni cells with SHIFT added per element."""
    rng = np.random.default_rng(seed)
    structures = []
    for i in range(n):
        atoms = bulk("Cu", "fcc", a=3.62, cubic=True) if i % 2 else bulk("Al", "fcc", a=3.9,
                                                                         cubic=True)
        if not i % 2:
            atoms.numbers[: 1 + i % 3] = 28
        atoms.rattle(0.05, seed=int(rng.integers(1000)))
        atoms.calc = EMT()
        shift = sum(SHIFT[s] for s in atoms.get_chemical_symbols())
        atoms.calc = SinglePointCalculator(
            atoms, energy=atoms.get_potential_energy() + shift, forces=atoms.get_forces(),
            stress=atoms.get_stress(),
        )
        structures.append(atoms)
    return structures


@pytest.fixture
def data_files(tmp_path):
    ase.io.write(tmp_path / "train.xyz", _labelled(0, 6))
    ase.io.write(tmp_path / "test.xyz", _labelled(1, 4))
    return tmp_path


def test_evaluate_a_universal_model_with_offsets_from_training_data(data_files, standin,
                                                                    capsys):
    out = data_files / "eval"
    assert main(["evaluate", standin, str(data_files / "test.xyz"), "--offsets-from",
                 str(data_files / "train.xyz"), "--out", str(out), "--no-plot"]) == 0
    printed = capsys.readouterr().out
    assert "energy offsets (eV/atom, fitted on 6 frames): Al +0.2000, Ni -0.3000, Cu +0.5000"\
        in printed
    errors = json.loads((out / "errors.json").read_text())
    assert errors["energy_offsets"]["eV_per_atom"] == pytest.approx(SHIFT)
    assert errors["energy_offsets"]["rms_after_meV_per_atom"] == pytest.approx(0, abs=1e-6)
    assert errors["overall"]["energy"]["mae"] == pytest.approx(0, abs=1e-6)
    assert errors["overall"]["forces"]["mae"] == pytest.approx(0, abs=1e-6)  # file digits


def test_offsets_from_a_train_config(data_files, standin, capsys):
    config = data_files / "config.yaml"
    config.write_text("data:\n  train:\n    - name: t\n      files: [train.xyz]\n")
    out = data_files / "eval"
    assert main(["evaluate", standin, str(data_files / "test.xyz"), "--offsets-config",
                 str(config), "--out", str(out), "--no-plot"]) == 0
    assert "fitted on 6 frames" in capsys.readouterr().out
    errors = json.loads((out / "errors.json").read_text())
    assert errors["energy_offsets"]["eV_per_atom"] == pytest.approx(SHIFT)


def test_without_offsets_the_raw_energies_are_judged_and_the_user_told(data_files, standin,
                                                                       capsys):
    out = data_files / "eval"
    assert main(["evaluate", standin, str(data_files / "test.xyz"), "--out", str(out),
                 "--no-plot"]) == 0
    assert "no offsets" in capsys.readouterr().out
    errors = json.loads((out / "errors.json").read_text())
    assert "energy_offsets" not in errors and errors["overall"]["energy"]["mae"] > 100
