"""Generated broken files through the commands that read them: extended XYZ, VASP OUTCAR and
n2p2 input.data cut at random bytes, with swapped columns, NaN/inf and wrong units; n2p2
potentials cut short or with NaN. Every case ends with exit 0 or 2 and at most a one-line
error naming the file, never a traceback; nothing written holds NaN."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from ase.calculators.lj import LennardJones
from ase.calculators.singlepoint import SinglePointCalculator
from bad_data import HARTREE, copper, frames_of, write_xyz

import mlpot.calculators
from mlpot.cli.main import main
from mlpot.data import write_n2p2_data
from mlpot.models.serialization import load_model

ROOT = Path(__file__).resolve().parents[2]
OUTCAR = ROOT / "tests" / "fixtures" / "vasp" / "OUTCAR"
N2P2_SI = ROOT / "tests" / "fixtures" / "n2p2_si"
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?")
BOHR = 0.52917721


def truncated(text: str, rng) -> list[str]:
    return [text[: int(n)] for n in rng.integers(1, len(text) - 1, size=4)]


def non_finite(text: str, rng) -> list[str]:
    numbers = list(NUMBER.finditer(text))
    variants = []
    for token in ("nan", "inf", "-inf"):
        match = numbers[int(rng.integers(len(numbers)))]
        variants.append(text[: match.start()] + token + text[match.end():])
    return variants


def swapped_xyz(text: str) -> str:
    """Positions and forces exchanged on every atom line."""
    lines = []
    for line in text.splitlines():
        f = line.split()
        lines.append(" ".join([f[0], *f[4:7], *f[1:4]]) if len(f) == 7 else line)
    return "\n".join(lines) + "\n"


def swapped_n2p2(text: str) -> str:
    lines = []
    for line in text.splitlines():
        f = line.split()
        if f[:1] == ["atom"]:
            f = [f[0], *f[7:10], *f[4:7], *f[1:4]]
        lines.append(" ".join(f))
    return "\n".join(lines) + "\n"


def swapped_outcar(text: str) -> str:
    """Positions and forces exchanged in every POSITION block."""
    def swap(match):
        f = match.group(0).split()
        return "  " + "  ".join([*f[3:], *f[:3]])
    return re.sub(r"^ +(-?\d+\.\d+ +){5}-?\d+\.\d+$", swap, text, flags=re.M)


def scaled_xyz(images, energy: float = 1.0, length: float = 1.0) -> list:
    """Every other frame with its energy times `energy` and its lengths times `length`."""
    out = []
    for i, atoms in enumerate(images):
        if i % 2 == 0:
            results = dict(atoms.calc.results)
            atoms = atoms.copy()
            atoms.set_cell(atoms.cell * length, scale_atoms=True)
            results["energy"] = results["energy"] * energy
            results.pop("free_energy", None)
            atoms.calc = SinglePointCalculator(atoms, **results)
        out.append(atoms)
    return out


def _data_cases(tmp_path: Path) -> list[tuple[str, str]]:
    """(file name, content) of every broken data file."""
    rng = np.random.default_rng(2024)
    images = copper(6)
    xyz = Path(write_xyz(tmp_path / "base.xyz", images)).read_text()
    n2p2_path = tmp_path / "input.data"
    write_n2p2_data(n2p2_path, frames_of(images))
    n2p2 = n2p2_path.read_text()
    outcar = OUTCAR.read_text()
    cases = []
    for name, text, swap in (("data.xyz", xyz, swapped_xyz), ("input.data", n2p2, swapped_n2p2),
                             ("OUTCAR", outcar, swapped_outcar)):
        variants = [*truncated(text, rng), *non_finite(text, rng), swap(text)]
        cases += [(name, variant) for variant in variants]
    for energy, length in ((1 / HARTREE, 1.0), (1.0, 1 / BOHR), (HARTREE, 1.0)):
        path = tmp_path / "scaled.xyz"
        write_xyz(path, scaled_xyz(images, energy, length))
        cases.append(("data.xyz", path.read_text()))
    n2p2_bohr = tmp_path / "bohr.data"
    write_n2p2_data(n2p2_bohr, frames_of(images), units=mlpot.data.BOHR_HARTREE)
    cases.append(("input.data", n2p2_bohr.read_text()))  # read as Å and eV
    return cases


def _check_outcome(code: int, err: str, name: str, written: list[Path]) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        (line,) = [x for x in err.splitlines() if "error:" in x]
        assert name in line, line
    for path in written:
        if path.suffix == ".json" and path.exists():
            json.loads(path.read_text(), parse_constant=_refuse_non_finite)


def _refuse_non_finite(token: str) -> None:
    pytest.fail(f"a written file holds {token}")


def test_broken_data_files_through_evaluate(tmp_path, monkeypatch, capsys):
    calc = LennardJones(sigma=2.3, epsilon=0.2, rc=5.0, smooth=True)
    monkeypatch.setattr(mlpot.calculators, "load_calculator", lambda p, units=None: calc)
    outcomes = []
    for n, (name, text) in enumerate(_data_cases(tmp_path)):
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        (folder / name).write_text(text)
        out = folder / "out"
        code = main(["evaluate", "m.pt", str(folder / name), "--no-plot", "--no-progress",
                     "--out", str(out)])
        _check_outcome(code, capsys.readouterr().err, name, [out / "errors.json"])
        outcomes.append(code)
    assert outcomes.count(2) >= 10 and outcomes.count(0) >= 3  # both kinds of outcome seen


def _potential_cases(tmp_path: Path) -> list[Path]:
    rng = np.random.default_rng(7)
    cases = []
    for file in ("input.nn", "scaling.data", "weights.014.data"):
        text = (N2P2_SI / file).read_text()
        for variant in [*truncated(text, rng)[:2], *non_finite(text, rng)[:2]]:
            directory = tmp_path / f"pot{len(cases)}"
            shutil.copytree(N2P2_SI, directory)
            (directory / file).write_text(variant)
            cases.append(directory)
    return cases


def test_broken_n2p2_potentials_through_import(tmp_path, capsys):
    imported = 0
    for directory in _potential_cases(tmp_path):
        out = directory.parent / f"{directory.name}.pt"
        args = ["import", str(directory), str(out), "--format", "n2p2", "--units", "bohr-hartree"]
        code = main(args)
        _check_outcome(code, capsys.readouterr().err, directory.name, [])
        if code == 0:
            imported += 1
            state = load_model(out).state_dict()
            assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    assert imported < 12


def test_training_on_broken_files(tmp_path, monkeypatch, capsys):
    """Files that read (wrong units) train with warnings and write no NaN; the others stop
    before training with one line naming the file."""
    monkeypatch.chdir(tmp_path)
    xyz = [text for name, text in _data_cases(tmp_path) if name == "data.xyz"]
    cases = [xyz[0], xyz[4], xyz[-3]]  # cut short, a NaN, half the energies in Hartree
    trained = 0
    for n, text in enumerate(cases):
        folder = tmp_path / f"train{n}"
        folder.mkdir()
        (folder / "data.xyz").write_text(text)
        (folder / "config.yaml").write_text(
            f"output: {folder / 'run'}\ndata: {{train: [{{name: a, files: [{folder}/data.xyz]}}],"
            " validation: 0.34}\ndescriptors: {cutoff: 4.5, n_radial: 3, zeta: [1]}\n"
            "model: {hidden: [4]}\ntraining: {epochs: 1, batch_size: 2}\n"
        )
        code = main(["train", str(folder / "config.yaml"), "--no-progress"])
        err = capsys.readouterr().err
        _check_outcome(code, err, "data.xyz", [folder / "run" / "run.json"])
        if code == 0:
            trained += 1
            assert "looks like Hartree instead of eV" in err
            assert "nan" not in (folder / "run" / "log.csv").read_text().lower()
            state = load_model(folder / "run" / "model.pt").state_dict()
            assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    assert trained == 1
