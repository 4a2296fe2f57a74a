"""A universal model as active learning's oracle, the model of `mlpot md` and of the
analysis commands."""

import csv

import ase.io
import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.active.config import OracleConfig
from mlpot.active.label import label_structure, make_oracle
from mlpot.cli.main import main
from mlpot.errors import MlpotError


def test_the_oracle_resolves_a_universal_name_with_its_kwargs(standin):
    oracle = make_oracle(calculator=standin, factory=None, kwargs={"fixed_cutoff": True})
    assert oracle.universal_spec.name == standin and oracle.parameters["fixed_cutoff"]


def test_labelling_with_a_universal_oracle(standin, tmp_path):
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.rattle(0.05, seed=0)
    spec = OracleConfig(calculator=standin).model_dump()
    result = label_structure(spec, atoms, str(tmp_path / "work"))
    atoms.calc = EMT()
    assert result["energy"] == pytest.approx(atoms.get_potential_energy())
    assert np.allclose(result["forces"], atoms.get_forces())
    assert np.allclose(result["stress"], atoms.get_stress())


def test_an_oracle_whose_package_is_missing_fails_once_with_the_extra(monkeypatch):
    from mlpot.universal import models

    monkeypatch.setitem(models.PACKAGES, "sevennet", ("no_such_package_sevenn", models.EXTRA))
    monkeypatch.setitem(models.PRETRAINED, "sevennet-0", ("sevennet", "ase", "__init__.py"))
    with pytest.raises(MlpotError, match=r"mlpot\[universal\]"):
        make_oracle(calculator="sevennet-0", factory=None, kwargs={})


def test_md_with_a_universal_model(standin, tmp_path, capsys):
    structure, log = tmp_path / "cu.xyz", tmp_path / "md.csv"
    ase.io.write(structure, bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2))
    assert main(["md", standin, str(structure), "--steps", "4", "--interval", "2",
                 "--temperature", "300", "--seed", "0", "--log", str(log),
                 "--no-progress"]) == 0
    with open(log, newline="") as handle:
        assert [int(row["step"]) for row in csv.DictReader(handle)] == [0, 2, 4]
    assert capsys.readouterr().out.startswith("step 4: epot")


def test_analysis_with_a_universal_model_and_reference(standin, tmp_path):
    import json

    structure = tmp_path / "cu.xyz"
    bulk("Cu", "fcc", a=3.6, cubic=True).write(structure)
    assert main(["analyze", "eos", standin, str(structure), "--reference", "emt", "--no-plot",
                 "--out", str(tmp_path)]) == 0
    comparison = json.loads((tmp_path / "eos.json").read_text())["comparison"]
    assert comparison and all(abs(row["difference"]) < 1e-9 for row in comparison.values())
