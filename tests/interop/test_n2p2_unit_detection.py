"""An n2p2 potential in Bohr and Hartree is recognised from its files and refused unless the
units are given, wherever an n2p2 directory is taken as a model."""

from pathlib import Path

import pytest
from ase.build import bulk
from ase.io import write

from mlpot.calculators import load_calculator
from mlpot.cli.main import main
from mlpot.data import BOHR_HARTREE
from mlpot.errors import MlpotError
from mlpot.interop.n2p2 import read_potential, write_potential

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "n2p2_si"  # the published Si potential, in Bohr/Hartree
TEST_SET = ROOT / "examples" / "si" / "test.xyz"


def test_a_bohr_hartree_potential_read_as_angstrom_is_refused():
    with pytest.raises(MlpotError) as info:
        read_potential(FIXTURE)
    message = str(info.value)
    assert "looks like it is in Bohr and Hartree" in message
    assert "imply 0.0071 atoms/Å^3 with lengths in Å" in message and "0.048 in Bohr" in message
    assert "the cutoff is 10.3935" in message and "--units bohr-hartree" in message


def test_given_units_are_used():
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    atoms.calc = load_calculator(FIXTURE, BOHR_HARTREE)
    assert -5.5 < atoms.get_potential_energy() / len(atoms) < -5.0  # eV/atom, DFT-like


def test_an_angstrom_potential_reads_without_a_word(tmp_path, capsys):
    model = read_potential(FIXTURE, BOHR_HARTREE)
    write_potential(model, tmp_path / "ev")
    read_potential(tmp_path / "ev")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["import", "evaluate", "md"])
def test_every_command_taking_an_n2p2_model_accepts_units(tmp_path, capsys, command):
    start = tmp_path / "si.xyz"
    write(start, bulk("Si", "diamond", a=5.43, cubic=True))
    tail = {
        "import": [str(tmp_path / "si.pt"), "--format", "n2p2"],
        "evaluate": [f"{TEST_SET} 0:2", "--no-plot", "--no-progress", "--out", str(tmp_path)],
        "md": [str(start), "--steps", "2", "--no-progress", "--ensemble", "nve"],
    }[command]
    args = [command, str(FIXTURE), *tail]
    assert main(args) == 2
    assert "looks like it is in Bohr and Hartree" in capsys.readouterr().err
    assert main([*args, "--units", "bohr-hartree"]) == 0
