"""The generated default sets: sizes, grids and the shell-resolved angular functions."""

import numpy as np
import pytest

from mlpot.config import DescriptorsConfig
from mlpot.descriptors.generator import default_symmetry_functions
from mlpot.descriptors.symmetry_functions import (
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)


def _angular(functions):
    return [sf for sf in functions if not isinstance(sf, RadialG2)]


def recipe(**keys) -> DescriptorsConfig:
    """The generator keys of a descriptors section; no angular shells unless given."""
    return DescriptorsConfig(**{"angular_shells": 0, **keys})


def test_default_set_sizes_per_element_pair():
    sfset = default_symmetry_functions(["Al", "Ni"], 5.0, r_min=2.0, recipe=recipe(n_radial=6))
    # 6 radial per neighbour element; 3 widths x 4 zeta x 2 lambda per element pair
    assert sfset.n_features("Al") == 2 * 6 + 3 * 3 * 4 * 2


@pytest.mark.parametrize("kind", ["narrow", "wide"])
def test_angular_shells_are_g5_on_the_shifted_grid(kind):
    base = default_symmetry_functions(["Si"], 6.0, r_min=2.0, recipe=recipe(angular=kind))
    shelled = default_symmetry_functions(
        ["Si"], 6.0, r_min=2.0, recipe=recipe(angular=kind, angular_shells=4)
    )
    added = _angular(shelled.functions["Si"])[len(_angular(base.functions["Si"])):]
    assert len(added) == 4 * 4 * 2
    assert all(type(sf) is AngularG5 for sf in added)
    shells = sorted({(sf.rs, sf.eta) for sf in added})
    np.testing.assert_allclose([rs for rs, _ in shells], [2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose([eta for _, eta in shells], 0.5)  # 1 / (2 spacing^2)
    assert all(sf.cutoff == 6.0 for sf in added)


def test_mixed_shells_pair_every_two_shells():
    shelled = default_symmetry_functions(
        ["Al", "Ni"], 6.0, r_min=2.0, recipe=recipe(angular_shells=4)
    )
    mixed = default_symmetry_functions(
        ["Al", "Ni"], 6.0, r_min=2.0, recipe=recipe(angular_shells=4, mixed_shells=True)
    )
    added = mixed.functions["Al"][shelled.n_features("Al") :]
    assert mixed.functions["Al"][: shelled.n_features("Al")] == shelled.functions["Al"]
    # 6 shell pairs x 4 zeta x 2 lambda per element pair (Al-Al, Al-Ni, Ni-Ni)
    assert len(added) == 3 * 6 * 4 * 2
    assert all(type(sf) is AngularG5Mixed and sf.rs < sf.rs2 for sf in added)
    pairs = sorted({(sf.rs, sf.rs2) for sf in added})
    np.testing.assert_allclose(pairs, [(2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5)])
    assert SymmetryFunctionSet.from_dict(mixed.to_dict()) == mixed


def test_no_shells_by_default_keeps_every_angular_function_centred():
    sfset = default_symmetry_functions(["Si"], 6.0, r_min=2.0, recipe=recipe())
    assert all(sf.rs == 0.0 for sf in _angular(sfset.functions["Si"]))
