"""Prediction at one fidelity: the folded single-fidelity model equals the multi-fidelity
model's own path at that fidelity; specs and model files keep the fidelities; export writes
the target fidelity."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, make_model, make_sfset, multi_fidelity_copy, slab

from mlpot.calculators import MlpotCalculator
from mlpot.errors import MlpotError
from mlpot.models.fidelity import Fidelities
from mlpot.models.serialization import load_model, save_model
from mlpot.testing.checks import to_frame
from mlpot.training.dataset import collate, prepare_frame


@pytest.fixture(scope="module")
def model():
    return multi_fidelity_copy(make_model(), names=("low", "mid", "high"), target="mid")


def training_path_energy(model, atoms, fidelity: str | None) -> float:
    frame = to_frame(atoms)
    frame.fidelity = fidelity
    batch = collate([prepare_frame(frame, model, torch.float64, 0)])
    from mlpot.models.predict import predict

    return float(predict(model, batch.inputs, {"energy"}).energy[0].detach())


def energy(calc, atoms) -> float:
    atoms = atoms.copy()
    atoms.calc = calc
    return atoms.get_potential_energy()


@pytest.mark.parametrize("fidelity", ["low", "mid", "high"])
def test_the_calculator_predicts_at_the_chosen_fidelity(model, fidelity):
    atoms = bulk_alni()
    expected = training_path_energy(model, atoms, fidelity)
    found = energy(MlpotCalculator(model, fidelity=fidelity), atoms)
    assert found == pytest.approx(expected, abs=1e-10)


def test_the_fidelities_differ_and_the_target_is_the_default(model):
    atoms = slab()
    values = {f: energy(MlpotCalculator(model, fidelity=f), atoms) for f in ("low", "mid", "high")}
    assert len({round(v, 6) for v in values.values()}) == 3
    assert energy(MlpotCalculator(model), atoms) == values["mid"]


def test_unknown_fidelities_and_fidelities_of_single_models_are_refused(model):
    with pytest.raises(MlpotError, match="fidelity 'dft' is not one the model learnt"):
        MlpotCalculator(model, fidelity="dft")
    with pytest.raises(MlpotError, match="learnt a single fidelity"):
        MlpotCalculator(make_model(), fidelity="low")
    single = make_model()
    assert single.at_fidelity() is single


def test_model_files_keep_the_fidelities(model, tmp_path):
    save_model(model, tmp_path / "mf.pt")
    loaded = load_model(tmp_path / "mf.pt")
    assert loaded.fidelities == Fidelities(("low", "mid", "high"), "mid")
    atoms = bulk_alni()
    for f in ("low", "high"):
        assert energy(MlpotCalculator(loaded, fidelity=f), atoms) == pytest.approx(
            energy(MlpotCalculator(model, fidelity=f), atoms), abs=1e-12)


def test_fidelities_must_be_distinct_with_the_target_among_them():
    with pytest.raises(MlpotError, match="at least two distinct"):
        Fidelities(("dft",), "dft")
    with pytest.raises(MlpotError, match="target fidelity 'x' is not one of"):
        Fidelities(("a", "b"), "x")


def test_the_kalman_filter_is_not_offered_to_multi_fidelity_networks(model):
    assert "kalman" in make_model().capabilities
    assert "kalman" not in model.capabilities


@pytest.mark.parametrize("fmt", ["n2p2", "lammps"])
def test_export_is_the_calculator_at_the_chosen_fidelity(fmt, tmp_path):
    from mlpot.interop.formats import read_potential, write_potential

    base = make_model(make_sfset(mixed_shells=False))  # n2p2's function types
    spec = base.spec()
    spec["networks"] = {e: {"hidden": [8, 6], "activation": "tanh"} for e in spec["networks"]}
    torch.manual_seed(5)
    n2p2_like = type(base).from_spec(spec)  # n2p2's activations, one shape for all elements
    model = multi_fidelity_copy(n2p2_like, names=("low", "mid", "high"), target="mid")
    model.load_state_dict({**model.state_dict(), **{
        k: v for k, v in base.state_dict().items() if k.startswith("scalers")}})
    write_potential(fmt, model, tmp_path / "target")
    write_potential(fmt, model, tmp_path / "low", fidelity="low")
    for name, fidelity in (("target", None), ("low", "low")):
        exported = read_potential(fmt, tmp_path / name)
        assert exported.fidelities is None
        for atoms in (bulk_alni(), slab()):
            ours, theirs = atoms.copy(), atoms.copy()
            ours.calc = MlpotCalculator(model, fidelity=fidelity)
            theirs.calc = MlpotCalculator(exported)
            assert theirs.get_potential_energy() == pytest.approx(
                ours.get_potential_energy(), abs=1e-8)
            np.testing.assert_allclose(theirs.get_forces(), ours.get_forces(), atol=1e-8)
