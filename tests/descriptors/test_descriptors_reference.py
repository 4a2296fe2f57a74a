"""Compiled symmetry functions against the slow reference (explicit images, plain loops) and
against closed forms, over periodic, triclinic, slab and molecular structures."""

import math

import numpy as np
import pytest
from ase import Atoms
from physics_helpers import (
    CUTOFF,
    CUTOFF_FUNCTIONS,
    bulk_alni,
    compute_descriptors,
    cutoff_id,
    make_sfset,
    molecule,
    own_images,
    slab,
    triclinic,
)
from reference import cutoff_value, symmetry_functions

from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
    parse_n2p2_line,
)

STRUCTURES = {
    "bulk-cell-smaller-than-cutoff": bulk_alni,
    "triclinic": triclinic,
    "slab": slab,
    "molecule": molecule,
    "single-atom-own-images": own_images,
}


def _assert_matches_reference(atoms, sfset):
    expected = symmetry_functions(atoms, sfset)
    actual = compute_descriptors(ACSF(sfset), atoms)
    assert np.abs(expected).max() > 0.1  # the structure really has neighbours
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", STRUCTURES.values(), ids=STRUCTURES.keys())
def test_matches_reference(make):
    _assert_matches_reference(make(), make_sfset())


@pytest.mark.parametrize("cutoff_function", CUTOFF_FUNCTIONS, ids=cutoff_id)
def test_matches_reference_for_each_cutoff_function(cutoff_function):
    _assert_matches_reference(triclinic(), make_sfset(cutoff_function))


def test_padding_columns_are_zero():
    sfset = make_sfset()
    atoms = bulk_alni()
    g = compute_descriptors(ACSF(sfset), atoms)
    ni = np.array(atoms.get_chemical_symbols()) == "Ni"
    assert sfset.n_features("Ni") < sfset.max_features
    assert not g[ni, sfset.n_features("Ni") :].any()
    assert np.all(g[ni, : sfset.n_features("Ni")].any(axis=0))


def test_atom_without_neighbours_has_zero_row():
    sfset = make_sfset()
    acsf = ACSF(sfset)
    cluster = molecule()
    lonely = cluster + Atoms("Al", positions=[cluster.positions.max(axis=0) + CUTOFF + 0.1])
    g_cluster = compute_descriptors(acsf, cluster)
    g = compute_descriptors(acsf, lonely)
    assert not g[-1].any()
    np.testing.assert_array_equal(g[:-1], g_cluster)


def test_single_isolated_atom_has_zero_row():
    for atoms in (Atoms("Al"), Atoms("Ni", cell=[10.0, 10.0, 10.0], pbc=True)):
        g = compute_descriptors(ACSF(make_sfset()), atoms)
        assert g.shape == (1, make_sfset().max_features)
        assert not g.any()


def _equilateral_closed_form(sf, d, cutoff_function):
    """A function's value for one atom of an equilateral triangle of side d, by hand:
    two neighbours at d, one triplet with cos = 1/2 and r_jk = d."""
    fc = cutoff_value(d, sf.cutoff, cutoff_function.kind, cutoff_function.alpha)
    radial = math.exp(-sf.eta * (d - sf.rs) ** 2)
    if isinstance(sf, RadialG2):
        return 2 * radial * fc
    n = 2 if isinstance(sf, AngularG5) else 3
    return 2 ** (1 - sf.zeta) * (1 + sf.lambda_ / 2) ** sf.zeta * radial**n * fc**n


@pytest.mark.parametrize("cutoff_function", [CutoffFunction("cos"), CutoffFunction("poly2", 0.4)])
def test_equilateral_triangle_closed_form(cutoff_function):
    d = 2.6
    sfs = (
        RadialG2("Al", "Al", 0.7, 1.1, 4.0),
        AngularG4("Al", ("Al", "Al"), 0.3, 1.0, 2.5, 4.0, rs=0.5),
        AngularG4("Al", ("Al", "Al"), 0.1, -1.0, 1.0, 3.5),
        AngularG5("Al", ("Al", "Al"), 0.2, -1.0, 4.0, 3.0, rs=1.2),
    )
    sfset = SymmetryFunctionSet(("Al",), {"Al": sfs}, cutoff_function)
    h = d * math.sqrt(3) / 2
    atoms = Atoms("Al3", positions=[(0, 0, 0), (d, 0, 0), (d / 2, h, 0)])
    expected = [_equilateral_closed_form(sf, d, cutoff_function) for sf in sfs]
    for g in (compute_descriptors(ACSF(sfset), atoms), symmetry_functions(atoms, sfset)):
        np.testing.assert_allclose(g, np.tile(expected, (3, 1)), rtol=1e-12)


def test_neighbour_pair_order_does_not_matter():
    def set_with(pair):
        sfs = (RadialG2("Al", "Ni", 0.5, 0.0, 4.0), AngularG4("Al", pair, 0.1, -1.0, 2.0, 4.0))
        ni = (RadialG2("Ni", "Al", 0.5, 0.0, 4.0),)
        return SymmetryFunctionSet(("Al", "Ni"), {"Al": sfs, "Ni": ni})

    atoms = triclinic()
    g_sorted = compute_descriptors(ACSF(set_with(("Al", "Ni"))), atoms)
    g_swapped = compute_descriptors(ACSF(set_with(("Ni", "Al"))), atoms)
    assert g_sorted[0, 1] > 0
    np.testing.assert_array_equal(g_swapped, g_sorted)
    np.testing.assert_allclose(symmetry_functions(atoms, set_with(("Ni", "Al"))), g_sorted)


@pytest.mark.parametrize("kind", ["cos", "exp", "poly1", "poly2", "poly3", "poly4"])
def test_reference_cutoff_shapes(kind):
    """The yardstick itself: 1 inside the inner radius, 0 from r_c on, and the shapes' own
    symmetry (f(midpoint) = 1/2 for cos and the polynomials, exp(-1/3) for exp)."""
    rc, alpha = 5.0, 0.2
    rci = alpha * rc
    assert cutoff_value(0.5 * rci, rc, kind, alpha) == 1.0
    assert cutoff_value(rc, rc, kind, alpha) == 0.0
    middle = cutoff_value(0.5 * (rci + rc), rc, kind, alpha)
    assert middle == pytest.approx(math.exp(-1 / 3) if kind == "exp" else 0.5, rel=1e-12)
    r = np.linspace(rci, rc, 50)
    values = [cutoff_value(x, rc, kind, alpha) for x in r]
    assert np.all(np.diff(values) <= 0)


def test_two_shell_function_on_one_shell_is_g5():
    pair = ("Al", "Ni")
    g5 = AngularG5("Al", pair, 0.4, -1.0, 2.0, CUTOFF, rs=2.6)
    same = AngularG5Mixed("Al", pair, 0.4, -1.0, 2.0, CUTOFF, rs=2.6, rs2=2.6)
    swapped = parse_n2p2_line("Al 9m Ni Al 0.4 -1 2.0 4.5 3.4 2.2")
    assert swapped == AngularG5Mixed("Al", pair, 0.4, -1.0, 2.0, 4.5, rs=2.2, rs2=3.4)
    functions = {"Al": (g5, same, swapped), "Ni": (RadialG2("Ni", "Al", 0.5, 0.0, CUTOFF),)}
    g = compute_descriptors(ACSF(SymmetryFunctionSet(("Al", "Ni"), functions)), bulk_alni())
    al = np.array(bulk_alni().get_chemical_symbols()) == "Al"
    np.testing.assert_allclose(g[al, 1], g[al, 0], rtol=1e-13)
    assert not np.allclose(g[al, 2], g[al, 0])
