"""Model files: a save/load round trip predicts identically; corrupt, truncated, foreign and
too-new files are refused with an MlpotError naming the file."""

import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, calculator, molecule

from mlpot.errors import MlpotError
from mlpot.models.serialization import (
    FORMAT_VERSION,
    load_model,
    model_from_dict,
    model_to_dict,
    save_model,
)


def _predictions(model):
    results = []
    for make in (bulk_alni, molecule):
        atoms = calculator(model, make())
        results += [atoms.get_potential_energies(), atoms.get_forces()]
    return results


def test_round_trip_predicts_identically(any_model, tmp_path):
    path = tmp_path / "model.pt"
    save_model(any_model, path, metadata={"note": "random weights"})
    loaded = load_model(path)
    assert loaded.metadata == {"note": "random weights"}
    assert loaded.sfset == any_model.sfset
    assert loaded.dtype == any_model.dtype
    assert loaded.spec() == any_model.spec()
    for before, after in zip(_predictions(any_model), _predictions(loaded), strict=True):
        np.testing.assert_array_equal(after, before)


def test_round_trip_float32(alni_model_float32, tmp_path):
    model = alni_model_float32
    save_model(model, tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt")
    assert loaded.dtype == torch.float32
    for before, after in zip(_predictions(model), _predictions(loaded), strict=True):
        np.testing.assert_array_equal(after, before)


def _refused(path):
    with pytest.raises(MlpotError) as error:
        load_model(path)
    assert str(path) in str(error.value)
    return str(error.value)


def test_corrupt_and_truncated_files(alni_model, tmp_path):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(np.random.default_rng(0).bytes(4096))
    _refused(garbage)
    good = tmp_path / "good.pt"
    save_model(alni_model, good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(truncated)
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    _refused(empty)


@pytest.mark.parametrize(
    "content",
    [{"state_dict": {"w": torch.zeros(2)}}, torch.zeros(3), [1, 2, 3]],
    ids=["foreign-checkpoint", "bare-tensor", "list"],
)
def test_foreign_torch_files(tmp_path, content):
    path = tmp_path / "foreign.pt"
    torch.save(content, path)
    assert "not an mlpot model" in _refused(path)


def _damaged(data, key):
    """The model dictionary with one entry broken the way a hand edit or a bad merge would."""
    if key == "spec":
        del data["spec"]
    elif key == "state":
        data["state"]["networks.Al.0.weight"] = torch.zeros(3, 3)  # wrong shape
    else:
        data["format_version"] = 0  # an old version without an upgrade path
    return data


@pytest.mark.parametrize("key", ["spec", "state", "format_version"])
def test_damaged_model_dictionary(alni_model, tmp_path, key):
    path = tmp_path / "damaged.pt"
    torch.save(_damaged(model_to_dict(alni_model), key), path)
    assert "damaged" in _refused(path)


def test_newer_format_version(alni_model, tmp_path):
    data = model_to_dict(alni_model)
    data["format_version"] = FORMAT_VERSION + 1
    path = tmp_path / "future.pt"
    torch.save(data, path)
    assert "upgrade mlpot" in _refused(path)


def test_missing_file(tmp_path):
    _refused(tmp_path / "absent.pt")


def _version_1(data: dict) -> dict:
    """A model dictionary as mlpot wrote it before model families (format version 1)."""
    old = {k: v for k, v in data.items() if k != "family"}
    return {**old, "format_version": 1, "kind": "nnp"}


def test_version_1_files_load_as_their_family(alni_model, tmp_path):
    path = tmp_path / "old.pt"
    torch.save(_version_1(model_to_dict(alni_model)), path)
    loaded = load_model(path)
    assert loaded.family == "nnp"
    assert loaded.spec() == alni_model.spec()


def test_version_1_snap_models_become_family_snap():
    from mlpot.descriptors.lammps import SnapSettings
    from mlpot.models.nnp import NetworkSpec
    from mlpot.models.snap import SnapNetworkPotential

    settings = SnapSettings(("Cu",), 4, 1.0, (2.3,), (1.0,))
    model = SnapNetworkPotential(settings, {"Cu": NetworkSpec((3,))})
    loaded = model_from_dict(_version_1(model_to_dict(model)))
    assert type(loaded) is SnapNetworkPotential and loaded.sfset == settings


def test_an_unknown_family_is_named(alni_model):
    data = {**model_to_dict(alni_model), "family": "mace"}
    with pytest.raises(MlpotError, match="unknown model family 'mace' .*known: .*nnp.*snap"):
        model_from_dict(data, "x.pt")
