"""Labelling through executors: results equal the oracle's own, in eV, eV/Å and eV/Å^3 with
ASE's stress sign; failures are recorded; nothing on disk is labelled again."""

from __future__ import annotations

import json

import numpy as np
import pytest
from active_oracles import calls
from active_setup import starting_structures
from ase.calculators.emt import EMT
from ase.io import read

from mlpot.active.config import ExecutorConfig, OracleConfig
from mlpot.active.label import LabelStore, label_all, make_oracle
from mlpot.data import read_frames
from mlpot.errors import MlpotError


def structures():
    images = starting_structures()
    for n, atoms in enumerate(images):
        atoms.rattle(0.05, seed=n)
        atoms.info["origin"] = f"start {n}"
    return images


@pytest.mark.parametrize(
    "executor",
    [
        ExecutorConfig(kind="process", workers=2),
        ExecutorConfig(kind="dask", workers=2, processes=False),
    ],
)
def test_labels_equal_the_oracle_and_failures_are_recorded(tmp_path, executor):
    log = tmp_path / "oracle.log"
    oracle = OracleConfig(
        factory="active_oracles:counting_emt", kwargs={"log": str(log), "fail_formula": "Ni4"}
    )
    store = LabelStore(tmp_path / "it")
    images = structures()
    label_all(images, oracle, executor, store, tmp_path / "work")
    assert store.done() == {0, 1, 2}
    (failure,) = store.failed()
    assert failure["key"] == 1 and failure["origin"] == "start 1"
    assert "RuntimeError: no convergence for Ni4" in failure["error"]
    labelled = store.labelled()
    assert [a.info["origin"] for a in labelled] == ["start 0", "start 2"]
    # extended XYZ keeps 8 decimals of forces and positions
    for atoms, key in zip(labelled, (0, 2), strict=True):
        reference = images[key].copy()
        reference.calc = EMT()
        assert atoms.get_potential_energy() == pytest.approx(
            reference.get_potential_energy(), abs=1e-7
        )
        np.testing.assert_allclose(atoms.get_forces(), reference.get_forces(), atol=1e-7)
        # ASE convention on both sides: positive = tensile, eV/Å^3, Voigt order
        np.testing.assert_allclose(atoms.get_stress(), reference.get_stress(), atol=1e-8)
    # the training reader sees the same labels
    frames = read_frames(tmp_path / "it/labels/00002.xyz")
    np.testing.assert_allclose(frames[0].stress, labelled[1].get_stress(), atol=1e-12)
    # a second pass finds everything done and never calls the oracle
    n_calls = len(calls(log))
    label_all(images, oracle, executor, store, tmp_path / "work")
    assert len(calls(log)) == n_calls


def test_labels_are_written_one_by_one(tmp_path):
    store = LabelStore(tmp_path)
    atoms = structures()[0]
    store.write(7, atoms, {"energy": -1.5, "forces": np.ones((4, 3)), "stress": None})
    store.write(8, atoms, {"error": "ValueError: boom"})
    assert store.done() == {7, 8}
    (back,) = read(tmp_path / "labels/00007.xyz", ":")
    assert back.get_potential_energy() == -1.5
    assert json.loads((tmp_path / "failures/00008.json").read_text())["error"].endswith("boom")
    assert not list(tmp_path.rglob(".*tmp*"))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # EMT divides by a zero distance
def test_non_finite_results_count_as_failures(tmp_path):
    oracle = OracleConfig(
        factory="active_oracles:counting_emt", kwargs={"log": str(tmp_path / "l")}
    )
    store = LabelStore(tmp_path)
    squeezed = structures()[0]
    squeezed.positions[1] = squeezed.positions[0]  # two atoms on one site
    label_all([squeezed], oracle, ExecutorConfig(kind="dask", processes=False), store, tmp_path)
    assert len(store.failed()) == 1 and not store.labelled()


def test_a_misconfigured_oracle_is_one_clear_error():
    with pytest.raises(MlpotError, match="oracle 'nosuchcode' cannot be created"):
        make_oracle("nosuchcode", None, {})
    with pytest.raises(MlpotError, match="active_oracles:missing"):
        make_oracle(None, "active_oracles:missing", {})
