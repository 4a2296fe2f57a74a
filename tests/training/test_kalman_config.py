"""`training.optimizer: {name: kalman, ...}` in the configuration: defaults, settings, errors."""

from __future__ import annotations

import pytest

from mlpot.config import ConfigError, KalmanConfig, load_config

HEAD = "data:\n  train: [{name: si, files: [train.xyz]}]\ntraining:\n  epochs: 10\n"


def load(tmp_path, optimizer: str):
    path = tmp_path / "config.yaml"
    path.write_text(HEAD + f"  optimizer: {optimizer}\n")
    return load_config(path)


def test_kalman_section_has_n2p2_defaults(tmp_path):
    config = load(tmp_path, "{name: kalman, variant: fading_memory, nu: 0.999, force_batch: 8}")
    settings = config.training
    assert settings.optimizer == KalmanConfig(
        name="kalman", variant="fading_memory", nu=0.999, force_batch=8
    )
    defaults = KalmanConfig(name="kalman")
    assert (defaults.epsilon, defaults.q0, defaults.q_tau, defaults.q_min) == (
        0.01,
        0.01,
        2.302,
        1e-6,
    )
    assert (defaults.eta0, defaults.eta_tau, defaults.eta_max) == (0.01, 2.302, 1.0)
    assert (defaults.lambda0, defaults.nu, defaults.force_fraction) == (0.96, 0.9995, 0.02315)


def test_adam_sections_still_work(tmp_path):
    optimizer = load(tmp_path, "{name: adamw, lr: 0.01}").training.optimizer
    assert (optimizer.name, optimizer.lr) == ("adamw", 0.01)
    optimizer = load(tmp_path, "{lr: 0.02}").training.optimizer
    assert (optimizer.name, optimizer.lr) == ("adam", 0.02)


PROBLEMS = [  # (optimizer section, dotted key, words in the message)
    ("{name: kalman, nu: 1.5}", "training.optimizer.nu", "must be <= 1"),
    ("{name: kalman, epsilon: 0}", "training.optimizer.epsilon", "must be > 0"),
    ("{name: kalman, force_batch: 0}", "training.optimizer.force_batch", "must be >= 1"),
    ("{name: kalman, variant: fading}", "training.optimizer.variant", "did you mean"),
    ("{name: kalman, lr: 0.01}", "training.optimizer.lr", "unknown key 'lr'"),
    ("{name: kalman, q_mni: 0}", "training.optimizer.q_mni", "did you mean 'q_min'?"),
    ("{name: kalmann}", "training.optimizer.name", "did you mean 'kalman'?"),
    ("{name: adam, epsilon: 0.1}", "training.optimizer.epsilon", "unknown key 'epsilon'"),
    ("{name: kalman, eta0: 2.0}", "training.optimizer.eta_max", "below eta0 2.0"),
    (
        "{name: kalman, energy_fraction: 0, force_fraction: 0}",
        "training.optimizer.energy_fraction",
        "fractions are all 0",
    ),
]


@pytest.mark.parametrize(("section", "key", "words"), PROBLEMS)
def test_invalid_kalman_settings_name_key_and_line(tmp_path, section, key, words):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, section)
    (problem,) = info.value.problems
    assert (problem.key, problem.line) == (key, 5)
    assert words in problem.message
