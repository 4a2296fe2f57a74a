"""Retraining: every member of a new ensemble gets the same symmetry functions, even from a
preset that adapts to the training frames: the architecture is built once from all data."""

from __future__ import annotations

from active_setup import holdout_frames
from ase.io import write

from mlpot.active.config import ActiveConfig
from mlpot.active.retrain import ensemble_config, shared_architecture
from mlpot.data import read_frames
from mlpot.training.run import build_model


def test_preset_is_resolved_once_for_all_members(tmp_path):
    frames = holdout_frames(6)
    frames[3].positions[1] = frames[3].positions[0] + [1.9, 0.0, 0.0]  # a short distance
    data = tmp_path / "data.xyz"
    write(data, frames, format="extxyz")
    cfg = ActiveConfig.model_validate(
        {
            "elements": ["Al", "Ni"],
            "start": {"structures": ["start.xyz"]},
            "oracle": {"calculator": "emt"},
            "explore": {"temperatures": [300.0]},
            "select": {"lower": 0.1, "upper": 1.0},
            "descriptors": {"cutoff": 4.5, "n_radial": 4},
        }
    )
    config = ensemble_config(cfg, data, tmp_path / "ensemble")
    all_frames = read_frames(data)
    without_short = all_frames[:3] + all_frames[4:]
    # the preset depends on which frames a member trains on
    preset = [build_model(config, f).sfset.to_dict() for f in (all_frames, without_short)]
    assert preset[0] != preset[1]
    shared = shared_architecture(config, data)
    assert shared.sfset.to_dict() == preset[0]
    members = [shared.fresh(seed=k) for k in range(2)]
    assert [m.sfset.to_dict() for m in members] == [preset[0]] * 2
