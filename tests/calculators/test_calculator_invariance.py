"""The descriptors of supercells and of explicit images equal those of the periodic cell (as in
TorchANI's tests); the energies, forces and stress of every model variant under symmetries,
supercells and explicit images: the shipped physics suite, tests/testing."""

import numpy as np
import pytest
from physics_helpers import bulk_alni, compute_descriptors, make_sfset, slab, triclinic

from mlpot.descriptors.acsf import ACSF
from mlpot.testing.checks import cluster_around

CUTOFF = make_sfset().cutoff


@pytest.mark.parametrize(
    "make, repeat",
    [(bulk_alni, (2, 2, 2)), (triclinic, (2, 2, 2)), (slab, (2, 2, 1))],
    ids=["bulk", "triclinic", "slab"],
)
def test_supercell_descriptors(make, repeat):
    """Every copy of an atom in a supercell has its descriptors."""
    atoms = make()
    acsf = ACSF(make_sfset())
    copies = int(np.prod(repeat))
    np.testing.assert_allclose(
        compute_descriptors(acsf, atoms.repeat(repeat)),
        np.tile(compute_descriptors(acsf, atoms), (copies, 1)),
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize("make", [bulk_alni, triclinic], ids=["bulk", "triclinic"])
def test_explicit_image_descriptors(make):
    """Each atom's descriptors in the periodic cell equal those of the same atom at the centre
    of a non-periodic cluster of its images."""
    atoms = make()
    acsf = ACSF(make_sfset())
    periodic = compute_descriptors(acsf, atoms)
    for centre in range(len(atoms)):
        cluster = cluster_around(atoms, centre, CUTOFF + 0.5)
        np.testing.assert_allclose(
            compute_descriptors(acsf, cluster)[0], periodic[centre], rtol=1e-12, atol=1e-12
        )
