"""benchmarks/label_budget.py: evenly spaced uniform picks, and the targets judged from the
results as the issue states them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _label_budget():
    sys.path.insert(0, str(BENCHMARKS))  # it imports ensemble_uncertainty's writer
    spec = importlib.util.spec_from_file_location("label_budget", BENCHMARKS / "label_budget.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def errors(forces, energy):
    return {"all": {"forces_rmse": forces, "energy_mae": energy}}


def test_targets_compare_the_best_small_budget_with_uniform_at_400():
    lb = _label_budget()
    results = {
        ("a uniform MD", 400, 0): errors(0.20, 10.0),
        ("a uniform MD", 400, 1): errors(0.22, 12.0),  # mean 0.21, 11
        ("b loop", 133, 0): errors(0.25, 9.0),
        ("d diversity", 133, 0): errors(0.205, 30.0),
        ("d diversity", 200, 0): errors(0.10, 5.0),  # beyond the 133 limit: not counted
    }
    cover = {"md0": {"atoms_covered": 0.8}, "metad": {"atoms_covered": 0.7}}
    lines = lb.verdict(results, cover)
    assert "d diversity at 133, 0.205 eV/Å: target met" in lines[0]
    assert "b loop at 133, 9.000 meV/atom: target met" in lines[1]
    assert lines[2].endswith("target not met.")
    results[("d diversity", 133, 0)] = errors(0.3, 30.0)
    assert lb.verdict(results, cover)[0].endswith("target not met.")


def test_uniform_picks_are_evenly_spaced_over_the_trajectories():
    from ase import Atoms

    lb = _label_budget()
    pool = [Atoms("Al2", positions=[[0, 0, 0], [0, 0, 2.0 + 0.01 * k]]) for k in range(101)]
    picked = lb.take("a uniform MD", pool, 5)
    assert [round(100 * (a.get_distance(0, 1) - 2.0)) for a in picked] == [0, 25, 50, 75, 100]
    assert all("forces" in a.calc.results for a in picked)  # labelled by EMT
    assert lb.take("b loop", pool, 3) == pool[:3]


def test_recipe_final_models_are_the_default_recipe():
    from mlpot.config import TrainConfig

    lb = _label_budget()
    small = TrainConfig.model_validate(lb.final_config(1, 40, recipe=False))
    recipe = TrainConfig.model_validate(lb.final_config(1, 40, recipe=True))
    default = TrainConfig.model_validate({"data": {"train": [{"name": "t", "files": ["x"]}]}})
    assert small.training.epochs == 40 and small.model.hidden == [16, 16]
    assert recipe.training.seed == 1
    for section in ("descriptors", "model"):
        assert getattr(recipe, section) == getattr(default, section)
    assert recipe.training.model_copy(update={"seed": default.training.seed}) == default.training
    assert recipe.data.validation == default.data.validation


def test_seeded_loop_starts_from_the_given_labels_without_rattled_copies(tmp_path):
    import argparse

    from mlpot.active.config import load_active_config

    lb = _label_budget()
    args = argparse.Namespace(loop_steps=100, per_iteration=40, iterations=11, loop_epochs=30)
    (tmp_path / "seeded_start.xyz").write_text("")
    plain = load_active_config(lb.active_config(tmp_path, "loop_md", ["md"], args))
    seeded = load_active_config(lb.active_config(
        tmp_path, "loop_seeded", ["md"], args, start="seeded_start.xyz", rattle_copies=0,
        iterations=3))
    assert plain.start.rattle_copies == 4 and plain.iterations == 11
    assert seeded.start.rattle_copies == 0 and seeded.iterations == 3
    assert seeded.start.structures[0].path.name == "seeded_start.xyz"
    assert seeded.explore == plain.explore and seeded.select == plain.select
    assert seeded.training == plain.training and seeded.ensemble == plain.ensemble
