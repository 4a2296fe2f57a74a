"""Phonons with EMT through phonopy: acoustic sum rule, ASE's Phonons, imaginary modes."""

import sys

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.units import _e, _hplanck

from mlpot.errors import MlpotError

pytest.importorskip("phonopy")

from mlpot.analysis.properties.phonons import phonon_bands  # noqa: E402

THZ_PER_EV = _e / _hplanck * 1e-12  # phonon energy (eV) -> frequency (THz)


@pytest.fixture(scope="module")
def copper():
    atoms = bulk("Cu", "fcc", a=3.59)
    return atoms, phonon_bands(atoms, EMT(), supercell=(3, 3, 3), points=60, mesh=8)


def test_acoustic_modes_vanish_at_gamma_and_no_imaginary_modes(copper):
    _, result = copper
    assert np.abs(result.special_frequencies["G"]).max() < 0.01
    assert result.summary()["min_frequency_THz"] > -0.01
    assert result.imaginary() == [] and result.warnings() == []
    assert 6 < result.summary()["max_frequency_THz"] < 10  # copper: about 7.3 THz measured
    area = np.sum(np.diff(result.dos_frequencies) * (result.dos[1:] + result.dos[:-1]) / 2)
    assert area == pytest.approx(3.0, rel=0.02)  # 3N modes per primitive cell


def test_frequencies_agree_with_ase_phonons(copper, tmp_path):
    from ase.phonons import Phonons

    atoms, result = copper
    phonons = Phonons(atoms, EMT(), supercell=(3, 3, 3), delta=0.01, name=str(tmp_path / "ph"))
    phonons.run()
    phonons.read(acoustic=True)
    special = atoms.cell.bandpath(npoints=0).special_points
    for label in ("X", "L", "W"):
        ours = result.special_frequencies[label]
        theirs = np.sort(phonons.band_structure([special[label]])[0]) * THZ_PER_EV
        # ASE does not symmetrise its force constants: degenerate modes split by ~1 %
        assert theirs == pytest.approx(ours, rel=0.01)
        assert np.sum(theirs**2) == pytest.approx(np.sum(ours**2), rel=5e-3)


def test_conventional_cell_gives_the_primitive_band_path(copper):
    _, primitive = copper
    conventional = phonon_bands(
        bulk("Cu", "fcc", a=3.59, cubic=True), EMT(), supercell=(2, 2, 2), points=60, mesh=4
    )
    assert conventional.special_labels == primitive.special_labels
    assert conventional.special_frequencies["X"] == pytest.approx(
        primitive.special_frequencies["X"], rel=0.01
    )


def test_unstable_structure_has_imaginary_modes():
    result = phonon_bands(bulk("Cu", "sc", a=2.4), EMT(), supercell=(2, 2, 2), points=40, mesh=4)
    assert result.summary()["min_frequency_THz"] < -1.0
    assert result.imaginary() and "imaginary modes" in result.warnings()[0]


def test_custom_path_and_bad_path():
    result = phonon_bands(bulk("Cu", "fcc", a=3.59), EMT(), path="GX", points=10, mesh=4)
    assert result.special_labels == ["G", "X"] and result.frequencies.shape == (10, 3)
    with pytest.raises(MlpotError, match="band path 'GQ'.*special points of this lattice"):
        phonon_bands(bulk("Cu", "fcc", a=3.59), EMT(), path="GQ", mesh=4)


def test_missing_phonopy_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "phonopy", None)
    with pytest.raises(MlpotError, match=r'pip install "mlpot\[analysis\]"'):
        phonon_bands(bulk("Cu"), EMT())
