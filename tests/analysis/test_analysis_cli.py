"""`mlpot analyze maps|coverage|errors|learning-curve|gdf` end to end: a model file and
extended-XYZ data written here, the commands run as a user would, their files checked."""

import csv
import json

import ase.io
import numpy as np
import pytest
from analysis_fixtures import fcc_frames, fitted_model, outliers

from mlpot.cli.main import main
from mlpot.models.serialization import save_model

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyze")
    train = fcc_frames(30, seed=0)
    test = fcc_frames(4, seed=13, group="fcc-test") + outliers()
    ase.io.write(root / "train.xyz", [f.to_atoms() for f in train], format="extxyz")
    ase.io.write(root / "test.xyz", [f.to_atoms() for f in test], format="extxyz")
    ase.io.write(root / "md.xyz", [f.to_atoms() for f in fcc_frames(3, seed=17)],
                 format="extxyz")
    save_model(fitted_model(train), root / "model.pt")
    return root


def _json(path):
    return json.loads(path.read_text())


def test_coverage_command_flags_the_outliers(files, tmp_path, capsys):
    out = tmp_path / "coverage"
    assert main(["analyze", "coverage", str(files / "model.pt"), "--train",
                 str(files / "train.xyz"), str(files / "test.xyz"), "--out", str(out)]) == 0
    saved = _json(out / "coverage.json")
    assert saved["n_structures"] == 8
    assert saved["flagged"] == [f"{files / 'test.xyz'}:{i}" for i in range(4, 8)]
    assert [row["group"] for row in saved["structures"][3:5]] == ["fcc-test", "compressed"]
    assert (out / "coverage.png").stat().st_size > 20_000
    printed = capsys.readouterr().out
    assert "flagged 4 of 8 structures" in printed and "test.xyz:4: score" in printed


def test_errors_command_with_coverage(files, tmp_path, capsys):
    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames

    out = tmp_path / "errors"
    assert main(["analyze", "errors", str(files / "model.pt"), str(files / "test.xyz"),
                 "--train", str(files / "train.xyz"), "--out", str(out)]) == 0
    saved = _json(out / "errors_analysis.json")
    calc = load_calculator(files / "model.pt")
    frames = read_frames(str(files / "test.xyz"))
    expected = []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        expected.append(1000 * abs(atoms.get_potential_energy() - frame.energy) / len(frame))
    assert saved["overall"]["energy"]["mae"] == pytest.approx(np.mean(expected))
    assert saved["absolute_error_percentiles"]["energy"]["p100"] == pytest.approx(max(expected))
    assert set(saved["groups"]) == {"fcc-test", "compressed", "expanded", "bcc", "pure-Ni"}
    assert saved["coverage"]["n_flagged"] == 4
    for name in ("parity", "error_histograms", "errors_by_group", "error_vs_coverage"):
        assert (out / f"{name}.png").stat().st_size > 20_000
    assert "Spearman" in capsys.readouterr().out


def test_maps_command(files, tmp_path):
    out = tmp_path / "maps"
    assert main(["analyze", "maps", str(files / "model.pt"), "--train", str(files / "train.xyz"),
                 "--test", str(files / "test.xyz"), "--extra", f"md={files / 'md.xyz'}",
                 "--color", "set", "error", "--method", "pca", "--out", str(out)]) == 0
    saved = _json(out / "maps.json")
    assert saved["files"] == ["map_pca_set.png", "map_pca_error.png"]
    shown = saved["maps"]["pca_per_element"]["Al atoms"]["shown"]
    assert set(shown) == {"training", "test", "md"}
    total = sum(sum(panel["shown"].values())
                for panel in saved["maps"]["pca_per_element"].values())
    assert total == 4 * (30 + 8 + 3)
    assert (out / "map_pca_error.png").stat().st_size > 20_000


def test_learning_curve_command(tmp_path, capsys):
    with open(tmp_path / "log.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", "lr", "train_loss", "val_loss", "train_energy_rmse",
                         "val_energy_rmse"])
        for epoch, val in enumerate([3.0, 1.0, 2.0], start=1):
            writer.writerow([epoch, 1e-3, 4.0 / epoch, val, 10.0 / epoch, 5 * val])
    out = tmp_path / "curve"
    assert main(["analyze", "learning-curve", str(tmp_path / "log.csv"), "--out", str(out)]) == 0
    saved = _json(out / "learning_curve.json")
    assert saved["best_epoch"] == 2
    assert saved["metrics"]["val_energy_rmse"]["at_best_epoch"] == 5.0
    assert (out / "learning_curve.png").stat().st_size > 20_000
    assert "best epoch 2" in capsys.readouterr().out


def test_gdf_command(files, tmp_path, capsys):
    out = tmp_path / "gdf"
    assert main(["analyze", "gdf", str(files / "model.pt"), str(files / "train.xyz"),
                 "--sigma", "0.05", "--out", str(out)]) == 0
    saved = _json(out / "gdf.json")
    assert saved["sigma"] == 0.05 and saved["cap"] > 0
    assert sum(e["n_atoms"] for e in saved["elements"].values()) == 4 * 30
    assert (out / "gdf.png").stat().st_size > 20_000
    assert "effective atoms" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["maps", "{model}", "--train", "{train}", "--extra", "md.xyz"], "is not LABEL=FILE"),
    (["coverage", "missing.pt", "--train", "{train}", "{train}"], "missing.pt does not exist"),
    (["errors", "{model}", "{root}/none*.xyz"], "none"),
    (["learning-curve", "{root}"], "log.csv' does not exist"),
])
def test_bad_input_is_one_line(files, tmp_path, capsys, argv, message):
    names = {"model": files / "model.pt", "train": files / "train.xyz", "root": files}
    argv = [a.format(**names) for a in argv] + ["--out", str(tmp_path)]
    assert main(["analyze", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlpot analyze: error:") and message in err
    assert "\n" not in err and "Traceback" not in err
