"""The generated default sets: sizes, grids and the shell-resolved angular functions."""

import numpy as np
import pytest

from mlpot.descriptors.generator import default_symmetry_functions
from mlpot.descriptors.symmetry_functions import AngularG5, RadialG2


def _angular(functions):
    return [sf for sf in functions if not isinstance(sf, RadialG2)]


def test_default_set_sizes_per_element_pair():
    sfset = default_symmetry_functions(["Al", "Ni"], 5.0, r_min=2.0, n_radial=6)
    # 6 radial per neighbour element; 3 widths x 4 zeta x 2 lambda per element pair
    assert sfset.n_features("Al") == 2 * 6 + 3 * 3 * 4 * 2


@pytest.mark.parametrize("kind", ["narrow", "wide"])
def test_angular_shells_are_g5_on_the_shifted_grid(kind):
    base = default_symmetry_functions(["Si"], 6.0, r_min=2.0, angular=kind)
    shelled = default_symmetry_functions(["Si"], 6.0, r_min=2.0, angular=kind, angular_shells=4)
    added = _angular(shelled.functions["Si"])[len(_angular(base.functions["Si"])):]
    assert len(added) == 4 * 4 * 2
    assert all(type(sf) is AngularG5 for sf in added)
    shells = sorted({(sf.rs, sf.eta) for sf in added})
    np.testing.assert_allclose([rs for rs, _ in shells], [2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose([eta for _, eta in shells], 0.5)  # 1 / (2 spacing^2)
    assert all(sf.cutoff == 6.0 for sf in added)


def test_no_shells_by_default_keeps_every_angular_function_centred():
    sfset = default_symmetry_functions(["Si"], 6.0, r_min=2.0)
    assert all(sf.rs == 0.0 for sf in _angular(sfset.functions["Si"]))
