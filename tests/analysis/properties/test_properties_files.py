"""Frame selections of the trajectories a check reads: the same frames as ASE's own index."""

import ase.io
import numpy as np
import pytest
from ase.build import bulk

from mlpot.analysis.properties.files import read_structure, read_trajectory
from mlpot.errors import MlpotError


@pytest.fixture
def trajectory(tmp_path):
    frames = []
    for k in range(6):
        atoms = bulk("Cu", "fcc", a=3.6 + 0.01 * k, cubic=True)
        frames.append(atoms)
    path = tmp_path / "traj.xyz"
    ase.io.write(path, frames)
    return path


@pytest.mark.parametrize(("text", "index"), [("5", 5), ("-1", -1), ("0", 0)])
def test_single_index_is_one_frame(trajectory, text, index):
    (atoms,) = read_trajectory(trajectory, text)
    np.testing.assert_allclose(atoms.cell, ase.io.read(trajectory, index=index).cell)


@pytest.mark.parametrize("text", [":", "1::2", "-3:", "::-2", "2:4"])
def test_slices_pick_what_ase_picks(trajectory, text):
    expected = ase.io.read(trajectory, index=text)
    read = read_trajectory(trajectory, text)
    assert [a.cell[0, 0] for a in read] == [a.cell[0, 0] for a in expected]


def test_last_frame_is_the_structure(trajectory):
    assert read_structure(trajectory).cell[0, 0] == pytest.approx(3.65)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1:x", "traj.xyz: bad frame selection '1:x'"),
        ("::0", "step of a slice cannot be 0"),
        ("1:2:3:4", "bad frame selection"),
        ("9", "no frames in selection '9'"),
    ],
)
def test_bad_selection_names_the_file(trajectory, text, message):
    with pytest.raises(MlpotError, match=message):
        read_trajectory(trajectory, text)
