"""A tiny distillation from the real SevenNet-0 (skipped unless sevenn is installed)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase.build import bulk
from ase.io import read, write

from mlpot.cli.main import main


def test_distill_from_sevennet_0(tmp_path):
    pytest.importorskip("sevenn")
    from mlpot.universal import universal_calculator

    silicon = bulk("Si", "diamond", a=5.43, cubic=True)
    write(tmp_path / "si.xyz", [silicon])
    (tmp_path / "config.yaml").write_text("""
output: run
teacher: {calculator: sevennet-0}
structures: [si.xyz]
explore: {temperatures: [1000], strains: [0.0, 0.02], steps: 4, interval: 2}
select: {budget: 5, holdout: 0.2}
executor: {kind: process, workers: 1}
descriptors: {cutoff: 4.5, n_radial: 4, angular_shells: 0, zeta: [1.0], lambdas: [1]}
model: {hidden: [4], activation: tanh}
training: {epochs: 2, batch_size: 2, early_stopping: null}
""")
    assert main(["distill", str(tmp_path / "config.yaml"), "--no-progress", "--no-plot"]) == 0
    report = json.loads((tmp_path / "run/report.json").read_text())
    assert report["teacher"] == "sevennet-0"
    assert report["counts"]["labelled"] == 5 and report["counts"]["holdout"] == 1
    assert np.isfinite(report["errors"]["holdout"]["overall"]["forces"]["mae"])
    # the labels are SevenNet-0's
    held = read(tmp_path / "run/holdout.xyz")
    labelled = held.get_potential_energy()
    held.calc = universal_calculator("sevennet-0")
    assert held.get_potential_energy() == pytest.approx(labelled, abs=1e-4)
