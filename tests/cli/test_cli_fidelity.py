"""--fidelity of `mlpot evaluate`, `mlpot md` and `mlpot export` on a multi-fidelity model."""

from __future__ import annotations

import json

from ase.calculators.emt import EMT
from ase.io import write
from physics_helpers import bulk_alni, make_model, multi_fidelity_copy

from mlpot.cli.main import main
from mlpot.models.serialization import save_model


def test_fidelity_options(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    save_model(multi_fidelity_copy(make_model()), "m.pt")
    atoms = bulk_alni()
    atoms.calc = EMT()
    atoms.get_potential_energy(), atoms.get_forces()
    write("data.xyz", [atoms], format="extxyz")
    mae = {}
    for fidelity in ("low", "high"):
        args = ["evaluate", "m.pt", "data.xyz", "--no-plot", "--no-progress", "--out", fidelity]
        assert main([*args, "--fidelity", fidelity]) == 0
        mae[fidelity] = json.loads((tmp_path / fidelity / "errors.json").read_text())
    assert mae["low"] != mae["high"]
    assert main(["evaluate", "m.pt", "data.xyz", "--no-plot", "--fidelity", "dft"]) == 2
    assert "fidelity 'dft' is not one the model learnt (low, high)" in capsys.readouterr().err
    md = ["md", "m.pt", "data.xyz", "--steps", "2", "--no-progress", "--fidelity", "low"]
    assert main(md) == 0
    assert main(["export", "m.pt", "out", "--format", "lammps", "--fidelity", "low"]) == 0
