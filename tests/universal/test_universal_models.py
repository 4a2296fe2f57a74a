"""Resolving universal model names and files, and the errors when a package is missing."""

import importlib.util
from pathlib import Path

import pytest
import torch

from mlpot.analysis.properties.calculators import calculator_from_spec
from mlpot.calculators import load_calculator, load_calculator_or_ensemble
from mlpot.errors import MlpotError
from mlpot.models.serialization import save_model
from mlpot.universal import is_universal, parse_spec, universal_calculator
from mlpot.universal.models import sniff_model_file


@pytest.mark.parametrize(
    ("text", "kind", "name", "fidelity"),
    [
        ("sevennet-0", "sevennet", "sevennet-0", None),
        ("SevenNet-0", "sevennet", "sevennet-0", None),
        ("7net-0", "sevennet", "sevennet-0", None),
        ("sevennet-l3i5", "sevennet", "sevennet-l3i5", None),
        ("sevennet-mf-0", "sevennet", "sevennet-mf-0", None),
        ("sevennet-mf-0:PBE", "sevennet", "sevennet-mf-0", "PBE"),
        ("chgnet", "chgnet", "chgnet", None),
        ("chgnet-0.3.0", "chgnet", "chgnet", None),
    ],
)
def test_names_resolve_to_the_packaged_weights(text, kind, name, fidelity):
    spec = parse_spec(text)
    assert (spec.kind, spec.name, spec.fidelity) == (kind, name, fidelity)
    assert spec.file is None and spec.package in ("sevenn", "chgnet")
    assert spec.inside.endswith((".pth", ".pth.tar"))


@pytest.mark.parametrize("text", ["model.pt", "emt", "mypkg.dft:make", "sevennet-1", "mlpot:x"])
def test_other_specs_are_not_universal(text):
    assert parse_spec(text) is None and not is_universal(text)


def _archive(path: Path, content) -> Path:
    torch.save(content, path)
    return path


def test_model_files_are_told_apart_by_content(tmp_path, alni_model):
    save_model(alni_model, tmp_path / "model.pt")
    sevennet = {"model_state_dict": {}, "config": {"version": "sevenn 0.13"}}
    chgnet = {"model": {"state_dict": {}, "model_args": {}}}
    assert sniff_model_file(tmp_path / "model.pt") == "mlpot"
    assert sniff_model_file(_archive(tmp_path / "a.pth", sevennet)) == "sevennet"
    assert sniff_model_file(_archive(tmp_path / "b.pth.tar", chgnet)) == "chgnet"
    assert sniff_model_file(_archive(tmp_path / "c.pt", {"weights": [1.0]})) is None
    (tmp_path / "d.txt").write_text("not an archive")
    assert sniff_model_file(tmp_path / "d.txt") is None
    spec = parse_spec(f"{tmp_path / 'a.pth'}:R2SCAN")
    assert (spec.kind, spec.file, spec.fidelity) == ("sevennet", tmp_path / "a.pth", "R2SCAN")
    assert parse_spec(tmp_path / "model.pt") is None  # an mlpot model stays mlpot's


def test_a_missing_package_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *a: None if name in ("sevenn", "chgnet") else real(name, *a),
    )
    for name in ("sevennet-0", "chgnet"):
        with pytest.raises(MlpotError, match=r"needs the (sevenn|chgnet) package: pip "
                                             r"install 'mlpot\[universal\]'"):
            load_calculator(name)


def test_a_shipped_file_missing_from_the_package_is_an_error_not_a_download(monkeypatch):
    from mlpot.universal import models

    monkeypatch.setitem(models.PRETRAINED, "gone", ("emt", "ase", "no/such/weights.pth"))
    with pytest.raises(MlpotError, match="missing from the installed package.*never downloads"):
        universal_calculator("gone")


def test_every_model_loader_resolves_the_standin(standin):
    for calc in (load_calculator(standin), load_calculator_or_ensemble([standin]),
                 calculator_from_spec(standin), calculator_from_spec("EMT-Universal")):
        assert type(calc).__name__ == "EMT" and calc.universal_spec.name == standin


def test_a_universal_model_in_a_committee_is_refused(tmp_path):
    with pytest.raises(MlpotError, match="sevennet-0 is a universal model.*give it alone"):
        load_calculator_or_ensemble(["sevennet-0", str(tmp_path / "model.pt")])


def test_a_mace_model_file_goes_to_mace_calculator(tmp_path, monkeypatch):
    """mace-torch (not installed here: it pins another e3nn) is stood in by a module that
    records what MACECalculator is given."""
    import importlib.machinery
    import sys
    import types

    made = []
    mace, calculators = types.ModuleType("mace"), types.ModuleType("mace.calculators")
    mace.__spec__ = importlib.machinery.ModuleSpec("mace", None)
    calculators.MACECalculator = lambda **kwargs: made.append(kwargs) or "mace calculator"
    monkeypatch.setitem(sys.modules, "mace", mace)
    monkeypatch.setitem(sys.modules, "mace.calculators", calculators)
    path = _archive(tmp_path / "my.model", {"class": "mace.modules.models.ScaleShiftMACE"})
    assert load_calculator(path) == "mace calculator"
    assert made == [{"model_paths": str(path), "device": "cpu", "default_dtype": "float64"}]
    with pytest.raises(MlpotError, match="has one fidelity"):
        load_calculator(f"{path}:PBE")
