"""EnsembleCalculator: committee statistics against its members, finite differences, loading."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from physics_helpers import bulk_alni, make_model, make_sfset, molecule, slab
from uncertainty_helpers import committee

from mlpot.calculators import MlpotCalculator
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.errors import MlpotError
from mlpot.models.interaction import InteractionSpec
from mlpot.models.serialization import save_model
from mlpot.uncertainty import EnsembleCalculator, load_ensemble_calculator
from mlpot.uncertainty.manifest import write_manifest

MEMBERS = committee(3)


def member_results(models, atoms):
    """Energies, atomic energies, forces and stress of each member (MlpotCalculator)."""
    out = []
    for model in models:
        copy = atoms.copy()
        copy.calc = MlpotCalculator(model)
        stress = copy.get_stress() if copy.pbc.all() else np.zeros(6)
        out.append(
            (copy.get_potential_energy(), copy.get_potential_energies(), copy.get_forces(), stress)
        )
    return [np.array(x) for x in zip(*out, strict=True)]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["fused", "two-pass"])
@pytest.mark.parametrize(
    "make_atoms", [lambda: bulk_alni().repeat(2), slab, molecule], ids=["bulk", "slab", "molecule"]
)
def test_statistics_match_the_members(make_atoms, dtype):
    models = committee(3, dtype)
    atoms = make_atoms()
    energy, energies, forces, stress = member_results(models, atoms)
    atoms.calc = EnsembleCalculator(models)
    calc, tol = atoms.calc, (1e-10 if dtype == torch.float64 else 1e-5)
    assert atoms.get_potential_energy() == pytest.approx(energy.mean(), abs=tol)
    assert calc.get_property("energy_std", atoms) == pytest.approx(energy.std(), abs=tol)
    assert atoms.get_potential_energies() == pytest.approx(energies.mean(0), abs=tol)
    assert calc.get_property("energies_std", atoms) == pytest.approx(energies.std(0), abs=tol)
    assert atoms.get_forces() == pytest.approx(forces.mean(0), abs=tol)
    deviation = np.sqrt(((forces - forces.mean(0)) ** 2).sum(2).mean(0))
    assert calc.get_property("forces_deviation", atoms) == pytest.approx(deviation, abs=tol)
    assert calc.get_property("max_force_deviation", atoms) == pytest.approx(deviation.max())
    assert deviation.max() > 1e-3  # the members really differ
    if atoms.pbc.all():
        assert atoms.get_stress() == pytest.approx(stress.mean(0), abs=tol)


def test_members_with_neighbour_messages_match_their_calculators():
    models = [make_model(seed=s, interaction=InteractionSpec(4, 4, 3.5)) for s in (0, 1)]
    atoms = bulk_alni()
    energy, energies, forces, stress = member_results(models, atoms)
    atoms.calc = EnsembleCalculator(models)
    assert atoms.get_potential_energies() == pytest.approx(energies.mean(0), abs=1e-10)
    assert atoms.get_forces() == pytest.approx(forces.mean(0), abs=1e-10)
    assert atoms.get_stress() == pytest.approx(stress.mean(0), abs=1e-10)
    assert np.abs(forces[0] - forces[1]).max() > 1e-3


def test_forces_are_minus_the_gradient_of_the_mean_energy():
    atoms = bulk_alni()
    atoms.calc = EnsembleCalculator(MEMBERS)
    forces = atoms.get_forces()
    start, h = atoms.positions.copy(), 1e-5
    for i in range(len(atoms)):
        for a in range(3):
            energies = []
            for sign in (1, -1):
                atoms.positions = start
                atoms.positions[i, a] += sign * h
                energies.append(atoms.get_potential_energy())
            assert -(energies[0] - energies[1]) / (2 * h) == pytest.approx(forces[i, a], abs=1e-7)


def test_identical_members_have_no_spread():
    atoms = bulk_alni()
    atoms.calc = EnsembleCalculator([MEMBERS[0]] * 3)
    single = bulk_alni()
    single.calc = MlpotCalculator(MEMBERS[0])
    assert atoms.get_forces() == pytest.approx(single.get_forces(), abs=1e-12)
    assert atoms.calc.get_property("energy_std", atoms) == pytest.approx(0, abs=1e-12)
    assert atoms.calc.get_property("max_force_deviation", atoms) == pytest.approx(0, abs=1e-12)


def test_energy_alone_does_not_compute_forces():
    atoms = bulk_alni()
    atoms.calc = EnsembleCalculator(MEMBERS)
    atoms.get_potential_energy()
    assert "forces" not in atoms.calc.results and "energy_std" in atoms.calc.results


def test_members_must_share_the_descriptor_set(tmp_path):
    other = make_model(make_sfset(CutoffFunction("poly2")))
    with pytest.raises(MlpotError, match="member 1: its symmetry functions differ"):
        EnsembleCalculator([MEMBERS[0], other])
    paths = [tmp_path / "a.pt", tmp_path / "b.pt"]
    save_model(MEMBERS[0], paths[0])
    save_model(other, paths[1])
    with pytest.raises(
        MlpotError, match=f"{paths[1]}: its symmetry functions differ from those of {paths[0]}"
    ):
        load_ensemble_calculator(paths)


def test_load_from_files_and_from_an_ensemble_file(tmp_path):
    for k, model in enumerate(MEMBERS):
        save_model(model, tmp_path / f"member_{k}" / "model.pt")
    names = [f"member_{k}/model.pt" for k in range(3)]
    write_manifest(tmp_path / "ensemble.json", {"kind": "seeds", "members": 3, "models": names})
    atoms = bulk_alni()
    energies = []
    for source in ([tmp_path / n for n in names], tmp_path / "ensemble.json"):
        atoms.calc = load_ensemble_calculator(source)
        energies.append(atoms.get_potential_energy())
    expected = np.mean(member_results(MEMBERS, atoms)[0])
    assert energies == pytest.approx([expected, expected], abs=1e-10)


def test_unusable_ensemble_files(tmp_path):
    path = tmp_path / "ensemble.json"
    write_manifest(path, {"kind": "seeds", "members": 2, "models": []})
    with pytest.raises(MlpotError, match="no finished member models yet"):
        load_ensemble_calculator(path)
    path.write_text("{not json")
    with pytest.raises(MlpotError, match="not a readable ensemble file"):
        load_ensemble_calculator(path)
    with pytest.raises(MlpotError, match="does not exist"):
        load_ensemble_calculator([tmp_path / "missing.pt"])


def test_evaluate_command_judges_the_ensemble_mean(tmp_path):
    """`mlpot evaluate ensemble.json DATA`: the errors are those of the members' mean."""
    import json

    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write

    from mlpot.cli.main import main

    for k, model in enumerate(MEMBERS):
        save_model(model, tmp_path / f"member_{k}" / "model.pt")
    names = [f"member_{k}/model.pt" for k in range(3)]
    write_manifest(tmp_path / "ensemble.json", {"kind": "seeds", "members": 3, "models": names})
    structures = [bulk_alni(seed=s) for s in (1, 2)]
    for atoms in structures:
        energy, _, forces, stress = member_results(MEMBERS, atoms)
        assert np.abs(forces[0] - forces.mean(0)).max() > 1e-3  # a member is not the mean
        label = energy.mean() + 0.01 * len(atoms)  # 10 meV/atom above the mean
        atoms.calc = SinglePointCalculator(
            atoms, energy=label, forces=forces.mean(0), stress=stress.mean(0)
        )
    write(tmp_path / "data.xyz", structures, format="extxyz")
    out = tmp_path / "report"
    args = ["evaluate", str(tmp_path / "ensemble.json"), str(tmp_path / "data.xyz")]
    assert main([*args, "--no-plot", "--out", str(out)]) == 0
    errors = json.loads((out / "errors.json").read_text())["overall"]
    assert errors["energy"]["mae"] == pytest.approx(10.0, abs=1e-6)  # meV/atom
    assert errors["forces"]["mae"] == pytest.approx(0.0, abs=1e-8)
