"""Bad data that reads fine: atoms on top of each other, outliers, energies in the wrong unit,
incomplete files, unusual column names. Each is named (file, frame, value, what is typical)."""

from __future__ import annotations

import numpy as np
import pytest
from bad_data import copper, frames_of, in_hartree, trajectory, write_xyz

from mlpot.config import load_config
from mlpot.data import DataError, read_frames
from mlpot.data.consistency import energy_change_ratios, unit_mismatches
from mlpot.data.outliers import find_outliers
from mlpot.data.screening import screen_training_data, warn_about_data
from mlpot.descriptors.symmetry_functions import RadialG2
from mlpot.training.nnp_family import build_symmetry_functions

ROOT_OUTCAR = "tests/fixtures/vasp/OUTCAR"


def test_atoms_on_top_of_each_other_are_an_error_naming_file_and_frame(tmp_path):
    images = copper(4)
    images[2].positions[3] = images[2].positions[1] + 0.01
    path = write_xyz(tmp_path / "data.xyz", images)
    with pytest.raises(DataError, match=r"data.xyz', frame 2 \(line \d+\): atoms 1 and 3 are"):
        read_frames(path)


def test_a_short_pair_is_reported_and_kept_out_of_the_radial_grid(tmp_path, capsys):
    images = copper(12)
    images[5].positions[1] = images[5].positions[0] + [0.2, 0.0, 0.0]
    frames = frames_of(images)
    data = screen_training_data(frames[:9], frames[9:], "keep", 0.25)
    err = capsys.readouterr().err
    assert "'data.xyz', frame 5: shortest Cu-Cu distance 0.2 Å, typical 2." in err
    assert "stay in training (data.outliers: keep)" in err
    assert len(data.train) == 9 and not _holds(data.typical, frames[5])
    config = load_config_text(tmp_path, "descriptors: {cutoff: 4.5, n_radial: 4}")
    functions = build_symmetry_functions(config.descriptors, ["Cu"], data.typical).functions["Cu"]
    shifts = [sf.rs for sf in functions if isinstance(sf, RadialG2)]
    assert min(shifts) > 1.5  # 0.9 of the shortest typical distance, not of 0.2 Å
    excluded = screen_training_data(frames[:9], frames[9:], "exclude", 0.25)
    assert not _holds(excluded.train, frames[5]) and len(excluded.train) == 8
    assert "left out of training (data.outliers: exclude)" in capsys.readouterr().err
    with pytest.raises(DataError, match="every training frame is an outlier"):
        screen_training_data([frames[5]], frames[:5], "exclude", None)


def _holds(frames, frame) -> bool:
    return any(f is frame for f in frames)


def load_config_text(tmp_path, extra: str):
    path = tmp_path / "config.yaml"
    path.write_text(f"data: {{train: [{{name: a, files: [x.xyz]}}]}}\n{extra}\n")
    return load_config(path)


def test_half_the_frames_in_hartree_are_named_with_the_likely_unit(capsys):
    images = copper(12)
    images = [in_hartree(a) if i % 2 else a for i, a in enumerate(images)]
    warn_about_data(frames_of(images))
    assert "group 'default', 'data.xyz': 6 of 12 frames are outliers" in capsys.readouterr().err
    found = find_outliers(frames_of(images))
    assert len(found) == 6
    assert all(o.quantity == "energy per atom" for o in found)
    assert "looks like Hartree instead of eV" in found[0].message() or (
        "looks like eV while the others are in Hartree" in found[0].message())


def test_typical_data_has_no_outliers():
    assert find_outliers(frames_of(copper(20) + trajectory(10))) == []


def test_a_large_force_is_reported():
    images = copper(10)
    forces = images[4].calc.results["forces"]
    forces[2] = [300.0, 0.0, 0.0]
    found = find_outliers(frames_of(images))
    assert [(o.source, o.quantity) for o in found] == [("data.xyz:4", "largest force")]
    assert "largest force 300 eV/Å" in found[0].message()


def test_forces_and_energies_agree_along_a_trajectory():
    ratios = energy_change_ratios(frames_of(trajectory(12)))["data.xyz"]
    assert len(ratios) == 11
    np.testing.assert_allclose(np.median(ratios), 1.0, atol=0.05)


def test_a_trajectory_with_energies_in_hartree_is_named():
    frames = frames_of([in_hartree(a) for a in trajectory(12)])
    (message,) = unit_mismatches(frames)
    assert "'data.xyz': along its trajectory (11 pairs" in message
    assert "(1 expected): energies in Hartree with forces in eV/Å" in message


def test_an_outcar_ending_inside_a_step_says_so(tmp_path, capsys):
    lines = open(ROOT_OUTCAR).read().splitlines(keepends=True)
    path = tmp_path / "OUTCAR"
    path.write_text("".join(lines[:58]))  # inside the third ionic step
    assert len(read_frames(path)) == 2
    assert "ends inside ionic step 3" in capsys.readouterr().err
    assert len(read_frames(ROOT_OUTCAR)) == 3
    assert capsys.readouterr().err == ""


def test_force_and_energy_columns_of_other_programs(tmp_path):
    path = write_xyz(tmp_path / "ace.xyz", copper(3))
    text = open(path).read().replace(":forces:R:3", ":force:R:3")
    text = text.replace(" energy=", " dft_energy=")
    open(path, "w").write(text)
    frames = read_frames(path)
    assert frames[0].forces.shape == (4, 3) and frames[0].energy < -10
    open(path, "w").write(text.replace(":force:R:3", ":frc:R:3"))
    with pytest.raises(DataError, match=r"no forces \(its per-atom columns: frc\); name"):
        read_frames(path)


def test_tiny_splits_are_announced(capsys):
    frames = frames_of(copper(3))
    screen_training_data(frames, [], "keep", 0.1)
    err = capsys.readouterr().err
    assert "validation: 0.1 of 3 frames holds out no frame" in err
    assert "only 3 training structure(s)" in err
