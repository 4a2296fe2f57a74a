"""The Al-Ni active-learning example (examples/alni_active) in reduced form: its configuration
and structure script, with fewer and shorter runs, smaller networks and two iterations."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import yaml
from ase.io import write

from mlpot.active.config import load_active_config
from mlpot.active.loop import run_active

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "alni_active"


def _example_module():
    spec = importlib.util.spec_from_file_location("make_structures", EXAMPLE / "make_structures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reduced_config(directory: Path) -> Path:
    """The example's configuration with the loop's sizes cut down; paths in directory."""
    make = _example_module()
    write(directory / "start.xyz", make.starting_structures(), format="extxyz")
    holdout = make.holdout_trajectory(frames=4, every=10, equilibration=20)
    write(directory / "holdout.xyz", holdout, format="extxyz")
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    config["output"] = "run"
    config["start"].update(structures=["start.xyz"], rattle_copies=1)
    config["holdout"] = ["holdout.xyz"]
    config["executor"] = {"kind": "process", "workers": 1}
    config["ensemble"]["members"] = 2
    config["explore"].update(
        temperatures=[900], strains=[0.0], substitutions=config["explore"]["substitutions"][:1],
        steps=20, interval=10, normal_modes={"samples": 1},
    )
    # networks this small and short-trained agree closely: a low threshold still selects
    config["select"].update(max_per_iteration=4, lower=0.01)
    config["iterations"] = 2
    config["model"]["hidden"] = [6]
    config["training"]["epochs"] = 4
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_example_configuration_is_valid():
    cfg = load_active_config(EXAMPLE / "config.yaml")
    assert cfg.ensemble.bootstrap and cfg.select.lower < cfg.select.upper


def test_example_in_reduced_form(tmp_path):
    state = run_active(load_active_config(reduced_config(tmp_path)), plot=True)
    assert [it.index for it in state.iterations] == [0, 1, 2]
    rows = json.loads((tmp_path / "run" / "report.json").read_text())["rows"]
    for row in rows:
        assert math.isfinite(row["holdout_forces_rmse"]) and row["holdout_forces_rmse"] > 0
    assert rows[1]["explored"] > 0 and rows[1]["selected"] <= 4
    assert (tmp_path / "run" / "report.png").stat().st_size > 1000
