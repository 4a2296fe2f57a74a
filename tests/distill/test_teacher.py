"""Teachers (and oracles) named by an mlpot model file."""

from __future__ import annotations

import numpy as np
from ase.build import bulk

from mlpot.active.label import label_structure, make_oracle
from mlpot.calculators import MlpotCalculator, load_calculator
from mlpot.models.serialization import save_model


def test_an_mlpot_model_file_is_a_teacher(alni_model, tmp_path):
    path = tmp_path / "teacher.pt"
    save_model(alni_model, path)
    teacher = make_oracle(calculator=str(path), factory=None, kwargs={})
    assert isinstance(teacher, MlpotCalculator)
    atoms = bulk("Ni", "fcc", a=3.52, cubic=True)
    atoms.symbols[0] = "Al"
    atoms.rattle(0.05, seed=1)
    result = label_structure({"calculator": str(path), "factory": None, "kwargs": {}}, atoms,
                             str(tmp_path / "work"))
    atoms.calc = load_calculator(path)
    assert np.isclose(result["energy"], atoms.get_potential_energy())
    assert np.allclose(result["forces"], atoms.get_forces())
    assert np.allclose(result["stress"], atoms.get_stress())
