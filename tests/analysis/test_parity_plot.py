"""The parity plot is written, with or without stress, and needs matplotlib."""

import sys

import numpy as np
import pytest

from mlpot.analysis.errors import Predictions
from mlpot.data.frame import Frame
from mlpot.errors import MlpotError

pytest.importorskip("matplotlib")

from mlpot.analysis.parity import plot_parity  # noqa: E402


def _frames_and_predictions(with_stress: bool):
    rng = np.random.default_rng(0)
    frames, energies, forces, stresses = [], [], [], []
    for i in range(6):
        f_ref = rng.normal(size=(4, 3))
        frames.append(Frame(
            np.full(4, 13), rng.uniform(0, 5, (4, 3)), np.eye(3) * 5, np.ones(3, bool),
            energy=-3.0 * 4 + i, forces=f_ref, stress=rng.normal(size=6) * 0.01 if with_stress
            else None, group="bulk" if i % 2 else "surface",
        ))
        energies.append(frames[-1].energy + rng.normal() * 0.01)
        forces.append(f_ref + rng.normal(size=(4, 3)) * 0.05)
        stresses.append(frames[-1].stress * 1.1 if with_stress else None)
    return frames, Predictions(np.array(energies), forces, stresses)


@pytest.mark.parametrize("with_stress", [True, False])
def test_parity_png_is_written(tmp_path, with_stress):
    path = tmp_path / "parity.png"
    plot_parity(*_frames_and_predictions(with_stress), path, title="test model")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    from matplotlib.image import imread

    height, width = imread(path).shape[:2]
    assert width > 2.5 * height  # three panels side by side


def test_missing_matplotlib_says_which_extra(tmp_path, monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MlpotError, match=r'pip install "mlpot\[plot\]"'):
        plot_parity(*_frames_and_predictions(False), tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()
