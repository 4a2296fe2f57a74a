"""Multi-fidelity training: groups name their fidelity, the config its target; the model
learns two fidelities differing by per-element offsets and a smooth pair term, and learns the
target better from few target labels plus many cheap ones than from the few alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import yaml
from fidelity_data import fidelity_files
from physics_helpers import make_model

from mlpot.calculators import MlpotCalculator
from mlpot.config import ConfigError, TrainConfig, load_config
from mlpot.data import read_frames
from mlpot.errors import MlpotError
from mlpot.models.fidelity import Fidelities
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.models.potential import MULTI_FIDELITY, Potential
from mlpot.models.serialization import load_model
from mlpot.training.data import check_fidelities
from mlpot.training.run import prepare, train

SMALL = {"descriptors": {"cutoff": 4.6, "n_radial": 6, "angular_shells": 1},
         "model": {"hidden": [12, 12]}}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return fidelity_files(tmp_path_factory.mktemp("fidelity"))


def group(files, name, fidelity=None):
    out = {"name": name, "files": [str(files[name])]}
    return out if fidelity is None else {**out, "fidelity": fidelity}


def config(tmp_path, groups, epochs, target=None, **data) -> TrainConfig:
    return TrainConfig.model_validate({
        "output": str(tmp_path), **SMALL,
        "data": {"train": groups, "validation": 0.0, "target_fidelity": target, **data},
        "training": {"epochs": epochs, "batch_size": 4, "ema_decay": None,
                     "optimizer": {"lr": 0.01}},
    })


def test_errors(model_path, frames) -> tuple[float, float]:
    """RMSE of energy per atom (eV) and forces (eV/Å) of the model file on frames."""
    calc = MlpotCalculator(load_model(model_path))
    energies, forces = [], []
    for frame in frames:
        atoms = frame.to_atoms(with_labels=False)
        atoms.calc = calc
        energies.append((atoms.get_potential_energy() - frame.energy) / len(frame))
        forces.append(atoms.get_forces() - frame.forces)
    return float(np.sqrt(np.mean(np.square(energies)))), float(
        np.sqrt(np.mean(np.concatenate(forces) ** 2)))


test_errors.__test__ = False


def test_cheap_labels_of_another_fidelity_improve_the_target(files, tmp_path):
    # the same number of optimiser steps (12 per epoch against 2)
    alone = config(tmp_path / "alone", [group(files, "high")], epochs=180)
    both = config(tmp_path / "both", [group(files, "high", "high"), group(files, "low", "low")],
                  epochs=30, target="high")
    test = read_frames(str(files["test"]))
    errors = {}
    for name, cfg in (("alone", alone), ("both", both)):
        outcome = train(prepare(cfg, progress=False), progress=False)
        errors[name] = test_errors(outcome.model_path, test)
    model = load_model(tmp_path / "both" / "model.pt")
    assert model.fidelities == Fidelities(("high", "low"), "high")
    assert errors["both"][0] < 0.5 * errors["alone"][0]
    assert errors["both"][1] < 0.5 * errors["alone"][1]


def test_per_fidelity_references_hold_the_offsets(files, tmp_path):
    cfg = config(tmp_path, [group(files, "high", "high"), group(files, "low", "low")],
                 epochs=1, target="high")
    model = prepare(cfg, progress=False).model
    shifts = model.fidelity_shifts[model.fidelities.index("low")]
    assert model.fidelity_shifts[model.fidelities.index("high")].abs().max() == 0
    # Al +0.7 and Ni -1.3 eV/atom, plus the Morse pair term's share per atom
    assert float(shifts[1] - shifts[0]) == pytest.approx(-2.0, abs=0.15)


def test_one_named_fidelity_trains_exactly_as_none(files, tmp_path):
    plain = config(tmp_path / "plain", [group(files, "high")], epochs=2)
    named = config(tmp_path / "named", [group(files, "high", "dft")], epochs=2)
    models = [train(prepare(c, progress=False), progress=False).model_path for c in (plain, named)]
    first, second = (torch.load(p, weights_only=False) for p in models)
    assert first["spec"] == second["spec"] and "fidelities" not in first["spec"]
    for key, value in first["state"].items():
        assert torch.equal(value, second["state"][key]), key


def write_config(tmp_path, data: dict):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"data": data}))
    return path


def test_several_fidelities_need_a_target(files, tmp_path):
    data = {"train": [group(files, "high", "dft"), group(files, "low", "teacher")]}
    with pytest.raises(ConfigError, match="fidelities dft, teacher; set data.target_fidelity"):
        load_config(write_config(tmp_path, data))


def test_test_groups_are_of_the_target_fidelity(files, tmp_path):
    data = {"train": [group(files, "high", "dft"), group(files, "low", "teacher")],
            "target_fidelity": "dft", "test": [group(files, "test", "teacher")]}
    with pytest.raises(ConfigError, match="evaluated at the target fidelity"):
        load_config(write_config(tmp_path, data))


def test_a_target_without_frames_is_refused(files, tmp_path):
    cfg = config(tmp_path, [group(files, "high", "a"), group(files, "low", "b")], epochs=1,
                 target="c")
    with pytest.raises(MlpotError, match="no training frame has fidelity 'c'"):
        prepare(cfg, progress=False)


def test_unnamed_groups_are_of_the_target_fidelity(files, tmp_path):
    cfg = config(tmp_path, [group(files, "high"), group(files, "low", "low")], epochs=1,
                 target="high")
    run = prepare(cfg, progress=False)
    assert run.model.fidelities == Fidelities(("high", "low"), "high")
    fidelities = {int(p.inputs.fidelity[0]) for p in run.train_set}
    assert fidelities == {0, 1}


class WithoutFidelities(NeuralNetworkPotential):
    """A family that cannot take a fidelity input."""

    @property
    def capabilities(self) -> frozenset[str]:
        return super().capabilities - {MULTI_FIDELITY}


def test_families_without_the_capability_refuse_several_fidelities():
    model = WithoutFidelities.from_spec(make_model().spec())
    with pytest.raises(MlpotError, match="lacks 'multi-fidelity'.*train on one fidelity"):
        check_fidelities(model, Fidelities(("a", "b"), "a"))


def test_a_model_of_other_fidelities_is_not_continued(files, tmp_path):
    cfg = config(tmp_path, [group(files, "high", "a"), group(files, "low", "b")], epochs=1,
                 target="a")
    model = prepare(cfg, progress=False).model
    single = config(tmp_path / "single", [group(files, "high")], epochs=1)
    with pytest.raises(MlpotError, match="learns .*'a', 'b'.*one fidelity"):
        prepare(single, initial=model, progress=False)


def test_continued_training_keeps_every_fidelitys_energies(files, tmp_path):
    from emt_alni import emt_frames
    from fidelity_data import low_fidelity

    from mlpot.models.predict import predict
    from mlpot.training.dataset import prepare_frames
    from mlpot.training.fit_preprocessing import fit_preprocessing
    from mlpot.training.refit_preprocessing import function_kept

    def labelled(high, low):
        for frame in high:
            frame.fidelity = "high"
        for frame in low:
            frame.fidelity = "low"
        return high + low

    cfg = config(tmp_path, [group(files, "high", "high"), group(files, "low", "low")],
                 epochs=1, target="high")
    model = prepare(cfg, progress=False).model
    narrow = labelled(emt_frames(4, seed=5), low_fidelity(emt_frames(4, seed=6)))
    wide = labelled(emt_frames(5, seed=7), low_fidelity(emt_frames(5, seed=8)))
    for frame in wide:
        frame.positions, frame.cell = frame.positions * 0.92, frame.cell * 0.92
    groups = ["bulk", "default"]
    first = prepare_frames(narrow, model, torch.float64, groups, progress=False)
    second = prepare_frames(wide, model, torch.float64, groups, progress=False)
    fit_preprocessing(model, narrow, first, "minmax", False)

    def energies():
        return torch.cat([predict(model, p.inputs, set()).atomic_energies for p in first + second])

    before = energies().detach()
    with function_kept(model):
        fit_preprocessing(model, wide, second, "minmax", False)
    assert torch.allclose(energies().detach(), before, rtol=1e-9, atol=1e-9)


FAMILY_SECTIONS = {
    "equivariant": ("e3nn", {"family": "equivariant", "channels": 4, "l_max": 1,
                             "correlation": 2, "interactions": 1, "radial_hidden": [8],
                             "cutoff": 4.0}),
    "gap": ("featomic", {"family": "gap", "n_sparse": 6,
                         "soap": {"cutoff": 4.0, "width": 1.0, "l_max": 3, "n_max": 3},
                         "two_body": {"cutoff": 4.0, "n_points": 6, "r_min": 1.8}}),
}


@pytest.mark.parametrize("family", sorted(FAMILY_SECTIONS))
def test_other_families_learn_per_fidelity_references(family, files, tmp_path):
    extra, section = FAMILY_SECTIONS[family]
    pytest.importorskip(extra)
    cfg = TrainConfig.model_validate({
        "output": str(tmp_path), "model": section,
        "data": {"train": [group(files, "high", "high"), group(files, "low", "low")],
                 "validation": 0.0, "target_fidelity": "high"},
        "training": {"epochs": 1, "batch_size": 4},
    })
    model = load_model(train(prepare(cfg, progress=False), progress=False).model_path)
    assert model.fidelities == Fidelities(("high", "low"), "high")
    shifts = model.fidelity_shifts[model.fidelities.index("low")]
    assert float(shifts[1] - shifts[0]) == pytest.approx(-2.0, abs=0.15)
    high, low = MlpotCalculator(model), MlpotCalculator(model, fidelity="low")
    atoms = read_frames(str(files["test"]))[0].to_atoms(with_labels=False)
    energies = []
    for calc in (high, low):
        atoms.calc = calc
        energies.append(atoms.get_potential_energy())
    assert energies[1] != energies[0]


def single_model(files, tmp_path):
    """A single-fidelity model trained two epochs on the low fidelity's labels."""
    cfg = config(tmp_path / "single", [group(files, "low")], epochs=2)
    return load_model(train(prepare(cfg, progress=False), progress=False).model_path)


def test_a_single_fidelity_model_widened_predicts_as_before_at_its_fidelity(files, tmp_path):
    single = single_model(files, tmp_path)
    cfg = config(tmp_path / "wide", [group(files, "high", "high"), group(files, "low", "low")],
                 epochs=1, target="high")
    wide = prepare(cfg, initial=single, fine_tune=True, initial_fidelity="low",
                   progress=False).model
    assert wide.fidelities == Fidelities(("high", "low"), "high")
    atoms = read_frames(str(files["test"]))[0].to_atoms(with_labels=False)
    results = {}
    for name, calc in (("single", MlpotCalculator(single)),
                       ("low", MlpotCalculator(wide, fidelity="low")),
                       ("high", MlpotCalculator(wide))):
        atoms.calc = calc
        results[name] = atoms.get_potential_energy(), atoms.get_forces()
    assert results["low"][0] == pytest.approx(results["single"][0], abs=1e-8)
    np.testing.assert_allclose(results["low"][1], results["single"][1], atol=1e-8)
    np.testing.assert_allclose(results["high"][1], results["single"][1], atol=1e-8)
    # the target is the low fidelity's energies less the fitted offsets (Al +0.7, Ni -1.3 eV)
    shifts = wide.fidelity_shifts[wide.fidelities.index("low")]
    offset = float(shifts[wide.species(atoms.numbers)].sum())
    assert results["high"][0] == pytest.approx(results["single"][0] - offset, abs=1e-8)
    assert float(shifts[1] - shifts[0]) == pytest.approx(-2.0, abs=0.15)


def test_widening_is_refused_where_it_cannot_apply(files, tmp_path):
    single = single_model(files, tmp_path)
    two = config(tmp_path / "two", [group(files, "high", "high"), group(files, "low", "low")],
                 epochs=1, target="high")
    with pytest.raises(MlpotError, match="name the one it learnt .*--init-fidelity"):
        prepare(two, initial=single, progress=False)
    with pytest.raises(MlpotError, match="'dft' is not one of the data's \\(high, low\\)"):
        prepare(two, initial=single, initial_fidelity="dft", progress=False)
    one = config(tmp_path / "one", [group(files, "high")], epochs=1)
    with pytest.raises(MlpotError, match="the training data has one fidelity"):
        prepare(one, initial=single, initial_fidelity="low", progress=False)
    with pytest.raises(MlpotError, match="without an initial model"):
        prepare(two, initial_fidelity="low", progress=False)
    multi = prepare(two, progress=False).model
    with pytest.raises(MlpotError, match="learnt fidelities high, low already"):
        prepare(two, initial=multi, initial_fidelity="low", progress=False)
    with pytest.raises(MlpotError, match="cannot be widened"):  # a family that has no widening
        Potential.widened_fidelity(single, Fidelities(("high", "low"), "high"), 1,
                                   torch.zeros(2, 2))
