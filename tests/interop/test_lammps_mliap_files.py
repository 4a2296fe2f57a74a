"""ML-IAP export files without LAMMPS: settings, formats, exact round trips, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mlpot.descriptors.lammps import SnapSettings, n_bispectrum
from mlpot.errors import MlpotError
from mlpot.interop import read_potential as read_any
from mlpot.interop import write_potential as write_any
from mlpot.interop.lammps_mliap import (
    DESCRIPTOR_FILE,
    MODEL_FILE,
    PAIR_FILE,
    read_mliap_nn,
    read_potential,
    write_potential,
)
from mlpot.interop.lammps_mliap.descriptor_file import read_descriptor_file
from mlpot.interop.lammps_mliap.model_file import read_model_file
from mlpot.models.nnp import NetworkSpec
from mlpot.models.serialization import load_model, save_model
from mlpot.models.snap import SnapNetworkPotential

FIXTURES = Path(__file__).parents[1] / "fixtures" / "lammps_mliap"
SETTINGS = SnapSettings(("Cu", "Au"), 4, 1.1, (2.0, 2.2), (1.0, 0.8), rmin0=0.2)


TANH = NetworkSpec((7, 5), "tanh")


def snap_model(network: NetworkSpec = TANH, pca: bool = True, seed: int = 0):
    """A random-weight model with fitted scaling (PCA for Au), energy scale and references."""
    torch.manual_seed(seed)
    model = SnapNetworkPotential(SETTINGS, {e: network for e in SETTINGS.elements})
    g = torch.randn(60, SETTINGS.max_features, dtype=torch.float64) * 3 + 1
    model.scalers["Cu"].fit(g[:30], "meanstd", pca=False)
    model.scalers["Au"].fit(g[30:], "minmax", pca=pca)
    model.reference_energies.copy_(torch.tensor([-3.5, -4.2]))
    model.energy_scale.fill_(0.37)
    return model


def predictions(model, seed: int = 1) -> torch.Tensor:
    g = (
        torch.randn(
            40,
            model.sfset.max_features,
            dtype=torch.float64,
            generator=torch.Generator().manual_seed(seed),
        )
        * 3
    )
    species = torch.arange(40) % 2
    with torch.no_grad():
        return model.descriptor_energies(g, species)


def test_bispectrum_count_matches_the_lammps_formula():
    # LAMMPS manual: K = m(m+1)(2m+1)/6 for twojmax = 2(m-1), m(m+1)(m+2)/3 for 2m-1
    for m in range(1, 6):
        assert n_bispectrum(2 * (m - 1)) == m * (m + 1) * (2 * m + 1) // 6
        assert n_bispectrum(2 * m - 1) == m * (m + 1) * (m + 2) // 3
    chem = SnapSettings(("Cu", "Au"), 4, 1.0, (2.0, 2.0), (1.0, 1.0), chemflag=True)
    assert chem.max_features == 14 * 8


def test_settings_cutoffs_dict_and_validation():
    assert SETTINGS.pair_cutoff(0, 1) == pytest.approx(1.1 * 4.2)
    assert SETTINGS.cutoff == pytest.approx(1.1 * 4.4)
    assert SnapSettings.from_dict(SETTINGS.to_dict()) == SETTINGS
    with pytest.raises(MlpotError, match="one radelem and one wj per element"):
        SnapSettings(("Cu", "Au"), 4, 1.0, (2.0,), (1.0, 1.0))
    with pytest.raises(MlpotError, match="rfac0"):
        SnapSettings(("Cu",), 4, 1.0, (2.0,), (1.0,), rfac0=1.5)


def test_model_file_of_a_snap_model_round_trips(tmp_path):
    model = snap_model()
    save_model(model, tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt")
    assert loaded.sfset == SETTINGS
    assert torch.equal(predictions(loaded), predictions(model))


@pytest.mark.parametrize("pca", [False, True])
def test_export_then_import_predicts_the_same_energies(tmp_path, pca):
    model = snap_model(pca=pca)
    written = write_potential(model, tmp_path)
    assert [p.name for p in written] == [MODEL_FILE, DESCRIPTOR_FILE, PAIR_FILE]
    again = read_potential(tmp_path)
    assert again.sfset == SETTINGS
    np.testing.assert_allclose(predictions(again), predictions(model), rtol=1e-13, atol=1e-12)
    from_pair_file = read_potential(tmp_path / PAIR_FILE)
    assert torch.equal(predictions(from_pair_file), predictions(again))


def test_plain_scaling_is_written_as_mliap_scale_lines(tmp_path):
    model = snap_model(pca=False)
    write_potential(model, tmp_path)
    cu = read_model_file(tmp_path / MODEL_FILE).networks[0]
    np.testing.assert_array_equal(cu.scale0, model.scalers["Cu"].shift.numpy())
    np.testing.assert_array_equal(cu.scale1, model.scalers["Cu"].scale.numpy())


def test_model_file_layout(tmp_path):
    write_potential(snap_model(), tmp_path)
    lines = [
        line.split("#")[0].split() for line in (tmp_path / MODEL_FILE).read_text().splitlines()
    ]
    lines = [words for words in lines if words]
    n_params = (14 + 1) * 7 + (7 + 1) * 5 + (5 + 1) * 1
    assert lines[0] == ["2", str(n_params)]
    assert lines[1] == ["NET", "14", "3", "tanh", "7", "tanh", "5", "linear", "1"]
    assert max(len(words) for words in lines[2:]) <= 30
    pair = (tmp_path / PAIR_FILE).read_text()
    assert f"pair_style mliap model nn {MODEL_FILE} descriptor sna {DESCRIPTOR_FILE}" in pair
    assert "pair_coeff * * Cu Au" in pair


def test_registry_maps_mliap_here(tmp_path):
    model = snap_model()
    write_any("mliap", model, tmp_path)
    assert torch.allclose(predictions(read_any("mliap", tmp_path)), predictions(model))


def test_reads_a_file_laid_out_like_the_lammps_examples():
    model = read_mliap_nn(FIXTURES / "CuAu.nn.mliap.model", FIXTURES / "CuAu.snap.mliap.descriptor")
    assert model.elements == ("Cu", "Au")
    assert model.sfset.twojmax == 2 and model.sfset.radelem == (2.1, 2.3)
    assert model.network_specs["Cu"] == NetworkSpec((3,), "tanh")
    assert model.scalers["Au"].shift[1] == pytest.approx(0.547534)
    assert model.networks["Cu"][2].bias.item() == -3.5
    assert model.networks["Cu"][0].weight[0, 0].item() == pytest.approx(-0.365661)


def test_models_mliap_cannot_hold_are_refused(tmp_path):
    with pytest.raises(MlpotError, match="activations"):
        write_potential(snap_model(NetworkSpec((4,), "silu")), tmp_path)
    model = SnapNetworkPotential(
        SETTINGS, {"Cu": NetworkSpec((4,), "tanh"), "Au": NetworkSpec((5,), "tanh")}
    )
    with pytest.raises(MlpotError, match="same layer sizes"):
        write_potential(model, tmp_path)
    assert not (tmp_path / MODEL_FILE).exists()


def test_chemflag_models_are_not_exported(tmp_path):
    chem = SnapSettings(("Cu", "Au"), 2, 1.0, (2.0, 2.0), (1.0, 1.0), chemflag=True)
    model = SnapNetworkPotential(chem, {e: TANH for e in chem.elements})
    with pytest.raises(MlpotError, match="chemflag"):
        write_potential(model, tmp_path)


def test_symmetry_function_models_are_pointed_to_n2p2(alni_model, tmp_path):
    with pytest.raises(MlpotError, match="n2p2"):
        write_potential(alni_model, tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("NET 5 2 tanh", "NET 5 2 swish"), r"model:7: unknown activation"),
        (lambda t: t.replace("2 22", "2 23"), r"model:4: nparams 23 does not match"),
        (
            lambda t: t.replace("0.351663 -0.571354\n", "0.351663 -0.571354 1 2 3 4\n"),
            r"model:10: line runs past the end of a block of 5 values",
        ),
        (lambda t: t.rsplit("# Au", 1)[0], "ends early"),
        (lambda t: t.replace("0.713348", "0.71x"), r"model:13: '0.71x' is not a number"),
    ],
)
def test_bad_model_files_name_file_and_line(tmp_path, edit, message):
    path = tmp_path / "bad.model"
    path.write_text(edit((FIXTURES / "CuAu.nn.mliap.model").read_text()))
    with pytest.raises(MlpotError, match=message):
        read_model_file(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("rfac0", "rfac"), r"descriptor:10: unknown keyword 'rfac'"),
        (lambda t: t.replace("welems 1.0 0.7", "welems 1.0"), r"descriptor:8: welems needs one"),
        (lambda t: t.replace("twojmax 2\n", ""), "missing keyword"),
        (lambda t: t + "switchinnerflag 1\n", "switchinnerflag 1 is not supported"),
    ],
)
def test_bad_descriptor_files_name_file_and_line(tmp_path, edit, message):
    path = tmp_path / "bad.descriptor"
    path.write_text(edit((FIXTURES / "CuAu.snap.mliap.descriptor").read_text()))
    with pytest.raises(MlpotError, match=message):
        read_descriptor_file(path)


def test_thermo_table_keeps_rows_of_a_run_that_blew_up():
    from mlpot.interop.lammps_mliap.runner import _thermo_table

    log = (
        "LAMMPS (22 Jul 2025)\n   Step          PotEng         KinEng\n"
        "         0   -10.5   0.1\nWARNING: Lost atoms (src/thermo.cpp:1)\n"
        "        10   nan   0.1\n        20   -10.4   inf\n"
        "Loop time of 0.1 on 1 procs for 20 steps with 2 atoms\n"
    )
    table = _thermo_table(log)
    np.testing.assert_array_equal(table["step"], [0, 10, 20])
    np.testing.assert_array_equal(table["pe"], [-10.5, np.nan, -10.4])
    assert table["ke"][-1] == np.inf
