"""Helpers for the configuration tests: write a YAML file, collect the problems it has."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mlpot.config import ConfigError, ConfigProblem, load_config

# Every key set to a non-default value; the line numbers are used by the tests.
FULL = """\
output: runs/si
elements: [Si, O]
data:
  train:
    - name: bulk
      weight: 2.0
      files: ["data/train.xyz", "OUTCAR 100:2000:20"]
      format: extxyz
    - name: surface
      files:
        - path: data/surface.xyz
          selection: "::2"
  validation: 0.2
  test: [{name: held, files: ["test/*.xyz"]}]
  require_forces: false
descriptors:
  cutoff: 5.5
  cutoff_function: poly2
  cutoff_alpha: 0.1
  n_radial: 8
  radial_mode: centred
  angular: wide
  angular_eta: [0.001, 0.01]
  zeta: [1, 4]
  lambdas: [-1, 1]
model:
  hidden: {Si: [24, 24], O: [16, 16]}
  activation: {Si: tanh, O: silu}
  scaling: meanstd
  pca: true
  reference_energies: {Si: -5.4, O: -4.9}
training:
  epochs: 50
  batch_size: 4
  optimizer: {name: adamw, lr: 5e-4, weight_decay: 1e-5}
  schedule:
    name: exponential
    gamma: 0.98
  loss: {energy: 1.0, forces: 0.5, stress: 0.1}
  early_stopping: {patience: 20, min_delta: 1.0e-4}
  dtype: float32
  seed: 7
  device: cuda:0
  checkpoint_every: 5
  group_balance: 0.5
"""


@pytest.fixture
def full_text() -> str:
    return FULL


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """write(text, name="config.yaml") -> path of the written (dedented) file in tmp_path."""

    def write(text: str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems_in(write_config: Callable[..., Path]) -> Callable[[str], list[ConfigProblem]]:
    """problems(text) -> the problems load_config reports for that file (it must fail)."""

    def problems(text: str) -> list[ConfigProblem]:
        with pytest.raises(ConfigError) as info:
            load_config(write_config(text))
        return info.value.problems

    return problems


@pytest.fixture
def edited_problems(
    full_text: str, problems_in: Callable[[str], list[ConfigProblem]]
) -> Callable[[str, str], list[ConfigProblem]]:
    """problems(old, new): the problems of FULL with the text `old` replaced by `new`."""

    def problems(old: str, new: str) -> list[ConfigProblem]:
        assert full_text.count(old) == 1, f"{old!r} must occur once in FULL"
        return problems_in(full_text.replace(old, new))

    return problems
