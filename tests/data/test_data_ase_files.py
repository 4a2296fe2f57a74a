"""Reading files through ASE: VASP OUTCAR / vasprun.xml and extxyz."""

from pathlib import Path

import numpy as np
import pytest

from mlpot.data import DataError, read_frames

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VASP_FILES = ["vasp/OUTCAR", "vasp/vasprun.xml"]
# 1 kbar = 1e8 Pa and 1 eV/Å^3 = 1.602176634e-19 J / 1e-30 m^3, so 1 kbar in eV/Å^3:
KBAR = 1e8 / 1.602176634e11  # 6.2415e-4


@pytest.mark.parametrize("name", VASP_FILES)
def test_vasp_stress_kbar_becomes_ase_stress(name):
    frame = read_frames(str(FIXTURES / name), base_dir=FIXTURES)[0]
    # file: XX YY ZZ XY YZ ZX = 10 20 30 4 5 6 kB, positive = compressive
    expected = -KBAR * np.array([10.0, 20.0, 30.0, 5.0, 6.0, 4.0])  # xx yy zz yz xz xy
    np.testing.assert_allclose(frame.stress, expected, rtol=1e-6)
    assert frame.stress[0] == pytest.approx(-6.2415e-3, rel=1e-4)


@pytest.mark.parametrize("name", VASP_FILES)
def test_vasp_labels_and_structure(name):
    frames = read_frames(name, base_dir=FIXTURES)
    assert len(frames) == 3
    last = frames[2]
    # the force-consistent energy (TOTEN), not energy(sigma->0) = -10.8195
    assert last.energy == pytest.approx(-10.82)
    np.testing.assert_allclose(last.forces, [[0.3, -0.2, 0.3], [-0.3, 0.2, -0.3]])
    np.testing.assert_allclose(last.cell[2], [0.2, 0.0, 5.43])
    np.testing.assert_allclose(last.positions[0], [0.02, 0.0, 0.0], atol=1e-8)
    assert last.symbols == ["Si", "Si"]
    assert last.pbc.all()
    assert [f.source for f in frames] == [f"{FIXTURES / name}:{i}" for i in range(3)]


@pytest.mark.parametrize("name", VASP_FILES)
@pytest.mark.parametrize(
    ("selection", "indices"),
    [("1:", [1, 2]), ("-1", [2]), ("::2", [0, 2]), ("-2:", [1, 2]), ("::-1", [2, 1, 0])],
)
def test_vasp_slices_keep_file_indices(name, selection, indices):
    frames = read_frames(f"{name} {selection}", base_dir=FIXTURES)
    assert [int(f.source.rsplit(":", 1)[1]) for f in frames] == indices
    assert [f.energy for f in frames] == pytest.approx([-10.8 - 0.01 * i for i in indices])


def test_outcar_and_vasprun_agree():
    outcar, vasprun = (read_frames(name, base_dir=FIXTURES) for name in VASP_FILES)
    for a, b in zip(outcar, vasprun, strict=True):
        np.testing.assert_allclose(a.positions, b.positions, atol=1e-6)
        np.testing.assert_allclose(a.forces, b.forces)
        np.testing.assert_allclose(a.stress, b.stress)
        assert a.energy == pytest.approx(b.energy)


def test_extxyz_keeps_group_and_info():
    frames = read_frames("extxyz/si2_steps.xyz", base_dir=FIXTURES)
    assert [f.group for f in frames] == ["bulk", "bulk", "bulk", "strained"]
    assert all(f.weight == 1.0 for f in frames)
    assert "group" not in frames[0].info
    np.testing.assert_allclose(frames[0].stress, -KBAR * np.array([10, 20, 30, 5, 6, 4]), rtol=1e-6)


def test_group_and_weight_arguments_override_the_file():
    frames = read_frames("extxyz/si2_steps.xyz -1", base_dir=FIXTURES, group="md", weight=2.5)
    assert [(f.group, f.weight) for f in frames] == [("md", 2.5)]


def test_frame_written_by_to_atoms_reads_back(tmp_path):
    frame = read_frames("vasp/OUTCAR -1", base_dir=FIXTURES)[0]
    frame.group, frame.weight, frame.info = "relax", 0.5, {"tag": "x"}
    frame.to_atoms().write(tmp_path / "one.xyz", format="extxyz")
    back = read_frames(tmp_path / "one.xyz")[0]
    assert (back.group, back.weight, back.info) == ("relax", 0.5, {"tag": "x"})
    assert back.source == f"{tmp_path / 'one.xyz'}:0"
    np.testing.assert_allclose(back.stress, frame.stress)
    np.testing.assert_allclose(back.forces, frame.forces)


def test_explicit_format(tmp_path):
    target = tmp_path / "steps.dat"
    target.write_text((FIXTURES / "extxyz" / "si2_steps.xyz").read_text())
    assert len(read_frames(target, format="extxyz")) == 4


def test_unreadable_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.xyz"
    bad.write_text('2\nLattice="1 0 0 0 1 0 0 0 1"\nSi 0 0\n')
    with pytest.raises(DataError, match=r"broken.xyz': ASE could not read it"):
        read_frames(bad)


def test_truncated_outcar_names_the_file(tmp_path):
    text = (FIXTURES / "vasp" / "OUTCAR").read_text().splitlines()
    (tmp_path / "OUTCAR").write_text("\n".join(text[:4]) + "\n")
    with pytest.raises(DataError, match="OUTCAR': ASE could not read it"):
        read_frames("OUTCAR", base_dir=tmp_path)


def test_file_without_labels_is_rejected(tmp_path):
    path = tmp_path / "plain.xyz"
    path.write_text("1\ncomment\nSi 0 0 0\n1\ncomment\nSi 1 0 0\n")
    with pytest.raises(DataError, match=r"plain.xyz', frame 0 \(line 1\): no energy"):
        read_frames(path)
