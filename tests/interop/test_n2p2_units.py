"""What the n2p2 reader converts: file units (Bohr, Hartree), n2p2's normalisation, every
scaling of the network inputs, normalize_nodes and per-element network keywords. Each test
rewrites an eV/Å potential into the other convention by n2p2's formulas and expects the same
energies and forces back."""

from pathlib import Path

import numpy as np
import pytest
import torch
from ase.data import atomic_numbers
from ase.units import Bohr, Hartree
from physics_helpers import bulk_alni, make_sfset, molecule, slab

from mlpot.calculators import MlpotCalculator
from mlpot.data import BOHR_HARTREE
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.interop.n2p2 import read_potential, write_potential
from mlpot.interop.n2p2.network import read_networks
from mlpot.interop.n2p2.settings import read_settings
from mlpot.interop.n2p2.weights import read_weights, weight_lines, weights_file
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

HIDDEN = (6, 5)


@pytest.fixture(scope="module")
def model():
    """An Al-Ni model on raw descriptors (the file's inputs are G itself)."""
    sfset = make_sfset(CutoffFunction("poly3", 0.25), mixed_shells=False)
    with torch.random.fork_rng():
        torch.manual_seed(11)
        model = NeuralNetworkPotential(
            sfset, {e: NetworkSpec(HIDDEN, "tanh") for e in "Al Ni".split()}
        )
    with torch.no_grad():
        for linear in model.networks["Al"][::2]:
            linear.weight.mul_(0.3)  # raw descriptors reach ~10: keep tanh away from saturation
    model.reference_energies.copy_(torch.tensor([-2.9, -4.6], dtype=torch.float64))
    return model


@pytest.fixture
def exported(tmp_path, model):
    write_potential(model, tmp_path / "ev")
    return tmp_path / "ev"


def _assert_same(model, other):
    for make in (bulk_alni, slab, molecule):
        a, b = make(), make()
        a.calc, b.calc = MlpotCalculator(model), MlpotCalculator(other)
        np.testing.assert_allclose(
            b.get_potential_energies(), a.get_potential_energies(), rtol=1e-10
        )
        forces = a.get_forces()
        np.testing.assert_allclose(
            b.get_forces(), forces, rtol=0, atol=1e-10 * np.abs(forces).max()
        )


def _edit(directory: Path, model, input_lines, first_layer=None, all_layers=None, last_layer=None):
    """Rewrite input.nn (a function of its lines) and each element's weights (functions of
    the list of (W, b))."""
    path = directory / "input.nn"
    path.write_text("\n".join(input_lines(path.read_text().splitlines())) + "\n")
    for element in model.elements:
        file = weights_file(directory, atomic_numbers[element])
        widths = [model.sfset.n_features(element), *HIDDEN, 1]
        layers = read_weights(file, widths, element)
        if first_layer:
            layers[0] = first_layer(element, *layers[0])
        if last_layer:
            layers[-1] = last_layer(*layers[-1])
        if all_layers:
            layers = [all_layers(w, b) for w, b in layers]
        file.write_text("\n".join(weight_lines(layers)) + "\n")


def _in_bohr(fields: list[str]) -> list[str]:
    """A symfunction_short line's lengths in Bohr: eta * Bohr^2, r_s and r_c / Bohr."""
    values = fields[:]
    if fields[2] == "2":
        eta, rs, rc = 4, 5, 6
    else:
        eta, rc, rs = 5, 8, 9
    values[eta] = repr(float(fields[eta]) * Bohr**2)
    for index in (rs, rc):
        if index < len(fields):
            values[index] = repr(float(fields[index]) / Bohr)
    return values


def test_bohr_hartree_files_with_normalisation(exported, model):
    """E = Hartree * (NN / conv_energy + mean_energy + atom_energy); lengths in Bohr."""
    mean, conv_energy, conv_length = -0.35, 4.2, 0.7

    def input_lines(lines):
        out = []
        for line in lines:
            fields = line.split()
            if fields and fields[0] == "symfunction_short":
                fields = _in_bohr(fields)
            elif fields and fields[0] == "atom_energy":
                fields[2] = repr(float(fields[2]) / Hartree - mean)
            out.append(" ".join(fields))
        return out + [
            f"mean_energy {mean}",
            f"conv_energy {conv_energy}",
            f"conv_length {conv_length}",
        ]

    factor = conv_energy / Hartree
    _edit(exported, model, input_lines, last_layer=lambda w, b: (w * factor, b * factor))
    converted = read_potential(exported, units=BOHR_HARTREE)
    assert converted.sfset.cutoff == pytest.approx(model.sfset.cutoff, rel=1e-14)
    _assert_same(model, converted)


# n2p2's scalings (SymFnc::scale), with Smin = -1, Smax = 2: (keywords, x = f(G, statistics))
SCALINGS = {
    "scale": (
        ["scale_symmetry_functions"],
        lambda g, lo, hi, mean, sd: -1 + 3 * (g - lo) / (hi - lo),
    ),
    "center": (["center_symmetry_functions"], lambda g, lo, hi, mean, sd: g - mean),
    "scalecenter": (
        ["scale_symmetry_functions", "center_symmetry_functions"],
        lambda g, lo, hi, mean, sd: -1 + 3 * (g - mean) / (hi - lo),
    ),
    "sigma": (
        ["scale_symmetry_functions_sigma"],
        lambda g, lo, hi, mean, sd: -1 + 3 * (g - mean) / sd,
    ),
}


@pytest.mark.parametrize("kind", sorted(SCALINGS))
def test_each_scaling_of_the_inputs(exported, model, kind):
    keywords, scaled = SCALINGS[kind]
    rng = np.random.default_rng(2)
    stats = {
        e: np.column_stack(
            [
                rng.uniform(0, 1, n),
                rng.uniform(2, 4, n),
                rng.uniform(1, 2, n),
                rng.uniform(0.5, 1, n),
            ]
        )
        for e, n in ((e, model.sfset.n_features(e)) for e in ("Al", "Ni"))
    }
    rows = [
        f"{e} {f} " + " ".join(repr(float(v)) for v in row)
        for e, element in enumerate(("Al", "Ni"), start=1)
        for f, row in enumerate(stats[element], start=1)
    ]
    (exported / "scaling.data").write_text("\n".join(rows) + "\n")

    def inputs_from_scaled(element, w, b):
        """x = (G - s) / k for the scaled inputs x: the layer on x that equals w, b on G."""
        lo, hi, mean, sd = stats[element].T
        at0, at1 = scaled(0.0, lo, hi, mean, sd), scaled(1.0, lo, hi, mean, sd)
        k = 1.0 / (at1 - at0)
        s = -at0 * k
        return k[:, None] * w, b + s @ w

    lines = lambda ls: ls + keywords + ["scale_min_short -1.0", "scale_max_short 2.0"]  # noqa: E731
    _edit(exported, model, lines, first_layer=inputs_from_scaled)
    _assert_same(model, read_potential(exported))


def test_normalize_nodes(exported, model):
    """n2p2 divides each neuron's input sum by its number of inputs."""
    _edit(
        exported,
        model,
        lambda ls: ls + ["normalize_nodes"],
        all_layers=lambda w, b: (w * len(w), b * len(w)),
    )
    _assert_same(model, read_potential(exported))


def test_per_element_network_keywords(tmp_path):
    path = tmp_path / "input.nn"
    path.write_text(
        "global_hidden_layers_short 2\nglobal_nodes_short 8 6\nglobal_activation_short t p l\n"
        "element_hidden_layers_short Ni 1\nelement_nodes_short Ni 7\n"
        "element_activation_short Ni s l\nelement_activation_short Al c g l\n"
    )
    specs = read_networks(read_settings(path), ("Al", "Ni"))
    assert specs == {
        "Al": NetworkSpec((8, 6), ("cos", "gaussian")),
        "Ni": NetworkSpec((7,), "sigmoid"),
    }
