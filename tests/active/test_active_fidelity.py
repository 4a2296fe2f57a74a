"""Active learning with labels of another fidelity: the oracle labels the selected structures
at the target fidelity only; the cheap labels (fidelity_data) are trained alongside, and the
ensembles predict at the target."""

from __future__ import annotations

import pytest
import yaml
from active_setup import holdout_frames
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from mlpot.active.config import ActiveConfig, load_active_config
from mlpot.active.retrain import ensemble_config, shared_architecture
from mlpot.config import ConfigError
from mlpot.models.fidelity import Fidelities
from mlpot.training.run import prepare
from mlpot.uncertainty import EnsembleCalculator

BASE = {
    "elements": ["Al", "Ni"],
    "start": {"structures": ["start.xyz"]},
    "oracle": {"calculator": "emt"},
    "explore": {"temperatures": [300.0]},
    "select": {"lower": 0.1, "upper": 1.0},
    "descriptors": {"cutoff": 4.5, "n_radial": 4, "angular_shells": 1},
    "validation": 0.0,
}


def cheap_labels(path):
    """EMT frames relabelled with an energy offset of 0.5 eV per atom (another fidelity)."""
    frames = holdout_frames(5, seed=11)
    for atoms in frames:
        energy, forces = atoms.get_potential_energy(), atoms.get_forces()
        atoms.calc = SinglePointCalculator(atoms, energy=energy + 0.5 * len(atoms), forces=forces)
    write(path, frames, format="extxyz")
    return path


def test_the_oracle_labels_the_target_and_cheap_labels_train_alongside(tmp_path):
    oracle_labels = tmp_path / "data.xyz"
    write(oracle_labels, holdout_frames(4), format="extxyz")
    cheap = {"name": "cheap", "files": [str(cheap_labels(tmp_path / "cheap.xyz"))],
             "fidelity": "universal"}
    cfg = ActiveConfig.model_validate({**BASE, "fidelity_data": [cheap],
                                       "target_fidelity": "dft"})
    config = ensemble_config(cfg, oracle_labels, tmp_path / "ensemble")
    assert [(g.name, g.fidelity) for g in config.data.train] == [
        ("active", "dft"), ("cheap", "universal")]
    architecture = shared_architecture(config, oracle_labels)
    assert architecture.fidelities == Fidelities(("dft", "universal"), "dft")
    run = prepare(config, architecture=architecture, progress=False)
    assert {int(p.inputs.fidelity[0]) for p in run.train_set} == {0, 1}
    calc = EnsembleCalculator([run.model, run.model.fresh(1)])
    assert calc.fidelities == architecture.fidelities
    assert all(m.fidelities is None for m in calc.models)  # folded at the target


def test_fidelity_data_needs_the_oracles_fidelity_and_named_groups(tmp_path):
    path = tmp_path / "active.yaml"
    groups = [{"name": "cheap", "files": ["cheap.xyz"]}]
    path.write_text(yaml.safe_dump({**BASE, "fidelity_data": groups}))
    with pytest.raises(ConfigError) as caught:
        load_active_config(path)
    text = str(caught.value)
    assert "fidelity_data needs target_fidelity" in text
    assert "names no fidelity" in text
