"""benchmarks/zuo.py reports a run of an element the paper does not have, without comparison."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ZUO = Path(__file__).resolve().parents[2] / "benchmarks" / "zuo.py"


def _zuo():
    spec = importlib.util.spec_from_file_location("zuo_benchmark", ZUO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_element_outside_the_published_table_is_reported():
    errors = {"mae": 0.004, "rmse": 0.005}
    group = {"n_frames": 3, "energy": {"mae": 4.2, "rmse": 5.0}, "forces": errors}
    result = {"element": "Cu", "seed": 0, "train_s": 60.0, "peak_mb": 500.0,
              "errors": {"overall": group, "groups": {"bulk": group}}}
    text = _zuo().markdown({"Cu": [result, {**result, "seed": 1}]}, "python benchmarks/zuo.py")
    assert "| Cu | 4.20 | - | - | 0.004 | - | - |" in text
    assert "| Cu | 4.20, 4.20 | 4.20 | - |" in text
