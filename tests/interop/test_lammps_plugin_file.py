"""The potential file of pair_style mlpot, without LAMMPS: what it holds and what it refuses."""

from __future__ import annotations

import numpy as np
import pytest
from lammps_plugin_helpers import STRUCTURES, default_recipe_model
from physics_helpers import calculator

from mlpot.errors import MlpotError
from mlpot.interop import read_potential, write_potential
from mlpot.interop.lammps_plugin.model_file import file_elements


@pytest.mark.parametrize("which", ["alni", "default"])
def test_file_holds_the_model_exactly(which, alni_model, tmp_path):
    """Read back (networks folded, identity preprocessing), the model predicts what it did."""
    model = alni_model if which == "alni" else default_recipe_model()
    path = write_potential("lammps", model, tmp_path / "model.mlpot")[0]
    back = read_potential("lammps", path)
    assert file_elements(path) == list(model.elements)
    for make in STRUCTURES.values():
        a, b = calculator(model, make()), calculator(back, make())
        assert b.get_potential_energy() == pytest.approx(a.get_potential_energy(), rel=1e-13)
        np.testing.assert_allclose(b.get_forces(), a.get_forces(), rtol=0, atol=1e-12)
    for element in model.elements:
        for bound in ("low", "high"):
            np.testing.assert_array_equal(getattr(back.descriptor_ranges[element], bound),
                                          getattr(model.descriptor_ranges[element], bound))


def test_refuses_neighbour_messages(interaction_model, tmp_path):
    with pytest.raises(MlpotError, match="neighbour messages"):
        write_potential("lammps", interaction_model, tmp_path / "x.mlpot")
    assert not (tmp_path / "x.mlpot").exists()


def test_bad_file_names_its_line(tmp_path):
    path = tmp_path / "bad.mlpot"
    path.write_text("mlpot_potential 1\nelements 1 Al\ncutoff_function cos 0.0\n"
                    "element Al 1 1\nradial Al 0.5 zero 4.0\n")
    with pytest.raises(MlpotError, match="bad.mlpot, line 5"):
        read_potential("lammps", path)
