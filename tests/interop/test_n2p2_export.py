"""mlpot models written as n2p2 potentials and read back: the same energies and forces to
1e-10 for scaled, whitened, multi-element models with every n2p2 activation and cutoff."""

from pathlib import Path

import numpy as np
import pytest
import torch
from physics_helpers import (
    bulk_alni,
    compute_descriptors,
    make_sfset,
    molecule,
    slab,
    triclinic,
)

from mlpot.calculators import MlpotCalculator
from mlpot.data import BOHR_HARTREE
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.errors import MlpotError
from mlpot.interop.n2p2 import read_potential, write_potential
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.models.serialization import load_model, save_model

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "n2p2_si"
STRUCTURES = (bulk_alni, triclinic, slab, molecule)

CASES = {
    "minmax-tanh-cos": (
        CutoffFunction("cos"),
        "minmax",
        False,
        {"Al": NetworkSpec((8, 6), "tanh"), "Ni": NetworkSpec((5, 4), "tanh")},
    ),
    "meanstd-pca-poly2": (
        CutoffFunction("poly2", 0.3),
        "meanstd",
        True,
        {
            "Al": NetworkSpec((6, 5), ("sigmoid", "softplus")),
            "Ni": NetworkSpec((6, 5), ("sigmoid", "softplus")),
        },
    ),
    "minmax-pca-exp": (
        CutoffFunction("exp", 0.2),
        "minmax",
        True,
        {"Al": NetworkSpec((7,), "shifted_softplus"), "Ni": NetworkSpec((4,), "shifted_softplus")},
    ),
    "meanstd-tanhu": (
        CutoffFunction("tanhu"),
        "meanstd",
        False,
        {
            "Al": NetworkSpec((5, 4, 3), ("gaussian", "cos", "reverse_sigmoid")),
            "Ni": NetworkSpec((5, 4, 3), ("gaussian", "cos", "reverse_sigmoid")),
        },
    ),
    "none-poly4": (
        CutoffFunction("poly4", 0.5),
        "none",
        False,
        {
            "Al": NetworkSpec((4, 4), ("negative_exp", "square")),
            "Ni": NetworkSpec((4, 4), ("negative_exp", "square")),
        },
    ),
    "minmax-tanh-relu-linear": (
        CutoffFunction("tanh"),
        "minmax",
        False,
        {
            "Al": NetworkSpec((6, 3), ("relu", "linear")),
            "Ni": NetworkSpec((6, 3), ("relu", "linear")),
        },
    ),
}


def _model(cutoff, scaling, pca, networks, seed=5) -> NeuralNetworkPotential:
    """Random weights; scalers fitted on the test structures' descriptors."""
    sfset = make_sfset(cutoff, mixed_shells=False)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = NeuralNetworkPotential(sfset, networks)
    acsf = ACSF(sfset)
    g = np.concatenate([compute_descriptors(acsf, make()) for make in STRUCTURES])
    species = np.concatenate([acsf.species(make().numbers) for make in STRUCTURES])
    for e, element in enumerate(sfset.elements):
        rows = torch.from_numpy(g[species == e, : sfset.n_features(element)])
        model.scalers[element].fit(rows, scaling, pca)
    model.reference_energies.copy_(torch.tensor([-3.7, -5.2], dtype=torch.float64))
    model.energy_scale.fill_(0.35)
    return model


def _predict(model, atoms):
    atoms.calc = MlpotCalculator(model)
    return atoms.get_potential_energies(), atoms.get_forces()


def _assert_same_predictions(model, back):
    for make in STRUCTURES:
        energies, forces = _predict(model, make())
        energies_back, forces_back = _predict(back, make())
        assert np.abs(forces).max() > 1e-3
        np.testing.assert_allclose(energies_back, energies, rtol=1e-10, atol=0)
        np.testing.assert_allclose(forces_back, forces, rtol=0, atol=1e-10 * np.abs(forces).max())


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_then_import_gives_the_same_energies_and_forces(tmp_path, case):
    model = _model(*CASES[case])
    written = write_potential(model, tmp_path / "nnp")
    names = sorted(path.name for path in written)
    assert names == [
        "input.nn",
        "lammps.in",
        "scaling.data",
        "weights.013.data",
        "weights.028.data",
    ]
    _assert_same_predictions(model, read_potential(tmp_path / "nnp"))


def test_narrower_networks_are_padded_to_one_shape(tmp_path):
    model = _model(*CASES["minmax-tanh-cos"])
    write_potential(model, tmp_path)
    text = (tmp_path / "input.nn").read_text()
    assert "global_nodes_short 8 6\n" in text and "global_activation_short t t l\n" in text
    assert read_potential(tmp_path).network_specs["Ni"].hidden == (8, 6)


def test_input_nn_and_lammps_snippet(tmp_path):
    write_potential(_model(*CASES["minmax-tanh-cos"]), tmp_path)
    lines = (tmp_path / "input.nn").read_text().splitlines()
    assert "elements Al Ni" in lines and "cutoff_type 1 0.0" in lines
    assert "atom_energy Al -3.7" in lines and "atom_energy Ni -5.2" in lines  # eV
    assert not any(k in line for line in lines for k in ("scale_", "center_", "conv_", "mean_"))
    functions = [line for line in lines if line.startswith("symfunction_short")]
    assert len(functions) == 20 + 17
    lammps = (tmp_path / "lammps.in").read_text().splitlines()
    assert "units metal" in lammps and "pair_coeff * * Al Ni" in lammps
    pair_style = next(line for line in lammps if line.startswith("pair_style"))
    assert pair_style.startswith("pair_style hdnnp 4.6 dir ")
    assert f'"{tmp_path.resolve()}"' in pair_style
    assert "cflength 1.0 cfenergy 1.0" in pair_style


def test_unknown_descriptor_range_is_written_unbounded(tmp_path):
    write_potential(_model(*CASES["minmax-tanh-cos"]), tmp_path)
    rows = [line.split() for line in (tmp_path / "scaling.data").read_text().splitlines()]
    rows = [row for row in rows if not row[0].startswith("#")]
    assert len(rows) == 37 and [row[:2] for row in rows[:2]] == [["1", "1"], ["1", "2"]]
    assert all(float(row[2]) == -np.inf and float(row[3]) == np.inf for row in rows)


def test_si_potential_survives_export_with_its_statistics(tmp_path):
    model = read_potential(FIXTURE, units=BOHR_HARTREE)
    write_potential(model, tmp_path)
    back = read_potential(tmp_path)
    for column in ("min", "max", "mean", "sigma"):
        assert back.metadata["n2p2"]["statistics"]["Si"][column] == pytest.approx(
            model.metadata["n2p2"]["statistics"]["Si"][column], rel=1e-15
        )
    atoms = bulk_alni()
    atoms.numbers[:] = 14
    energies, forces = _predict(model, atoms.copy())
    energies_back, forces_back = _predict(back, atoms)
    np.testing.assert_allclose(energies_back, energies, rtol=1e-12)
    np.testing.assert_allclose(forces_back, forces, rtol=0, atol=1e-12 * np.abs(forces).max())


def test_models_n2p2_cannot_express_are_refused(tmp_path):
    silu = _model(
        CutoffFunction("cos"),
        "minmax",
        False,
        {"Al": NetworkSpec((4,), "silu"), "Ni": NetworkSpec((4,), "silu")},
    )
    with pytest.raises(MlpotError, match="network of Al uses the activation silu"):
        write_potential(silu, tmp_path)
    mixed = _model(
        CutoffFunction("cos"),
        "minmax",
        False,
        {"Al": NetworkSpec((4, 4), "tanh"), "Ni": NetworkSpec((4,), "tanh")},
    )
    with pytest.raises(MlpotError, match="same number of hidden layers"):
        write_potential(mixed, tmp_path)
    two_shells = NeuralNetworkPotential(
        make_sfset(), {e: NetworkSpec((4,), "tanh") for e in "Al Ni".split()}
    )
    with pytest.raises(MlpotError, match="have no n2p2 type .*'Al 9m Al Al .*mixed_shells: false"):
        write_potential(two_shells, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_per_layer_activations_survive_a_model_file(tmp_path):
    model = _model(*CASES["meanstd-tanhu"])
    save_model(model, tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt")
    assert loaded.network_specs["Al"].activation == ("gaussian", "cos", "reverse_sigmoid")
    _assert_same_predictions(model, loaded)


@pytest.mark.parametrize("fmt", ["n2p2", "simple-nn"])
def test_models_with_neighbour_messages_are_refused(interaction_model, tmp_path, fmt):
    from mlpot.interop import write_potential as write_any

    with pytest.raises(MlpotError, match="messages from neighbouring atoms .*retrain without"):
        write_any(fmt, interaction_model, tmp_path / "out")
    assert not list(tmp_path.iterdir())
