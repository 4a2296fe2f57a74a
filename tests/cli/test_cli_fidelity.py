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


def test_init_fidelity_fine_tunes_a_single_fidelity_model_on_several(tmp_path, monkeypatch):
    import yaml
    from ase.calculators.morse import MorsePotential

    from mlpot.models.serialization import load_model

    monkeypatch.chdir(tmp_path)
    save_model(make_model(), "single.pt")
    frames = {"dft": EMT(), "cheap": MorsePotential(epsilon=0.1, r0=2.6, rcut1=4.0, rcut2=4.6)}
    for name, calc in frames.items():
        images = []
        for k in range(4):
            atoms = bulk_alni()
            atoms.rattle(0.05, seed=k)
            atoms.calc = calc
            atoms.get_potential_energy(), atoms.get_forces()
            images.append(atoms)
        write(f"{name}.xyz", images, format="extxyz")
    groups = [{"name": n, "files": [f"{n}.xyz"], "fidelity": n} for n in frames]
    config = {"output": "run", "data": {"train": groups, "validation": 0.0,
                                        "target_fidelity": "dft"},
              "training": {"epochs": 1, "batch_size": 4}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    args = ["train", "config.yaml", "--init-model", "single.pt", "--no-progress", "--no-plot"]
    assert main(args) == 2  # which fidelity did single.pt learn?
    assert main([*args, "--init-fidelity", "cheap"]) == 0
    assert load_model("run/model.pt").fidelities.names == ("dft", "cheap")
