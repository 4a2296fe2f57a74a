"""The physics checks, as plain functions that raise AssertionError when a model fails them.

`calculator` arguments are factories: called with no arguments they return a fresh ASE
calculator of the model (or committee) under test. Tolerances are absolute, in eV, eV/Å and
eV/Å^3 unless said otherwise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress
from ase.stress import full_3x3_to_voigt_6_stress, voigt_6_to_full_3x3_stress

from mlpot.data.frame import Frame
from mlpot.models.potential import Potential
from mlpot.models.predict import predict
from mlpot.models.serialization import model_from_dict, model_to_dict
from mlpot.training.dataset import collate, prepare_frame

Factory = Callable[[], Calculator]
FD_STEP = 1e-5  # Å for forces, strain for stress: central differences err by ~FD_STEP^2


class Predicted(NamedTuple):
    energy: float
    energies: np.ndarray  # (N,)
    forces: np.ndarray  # (N, 3)
    stress: np.ndarray | None  # (6,), for cells periodic in all directions


def predicted(calculator: Factory, atoms: Atoms) -> Predicted:
    """The predictions for a copy of `atoms` with a fresh calculator."""
    atoms = atoms.copy()
    atoms.calc = calculator()
    stress = atoms.get_stress() if atoms.pbc.all() else None
    return Predicted(
        atoms.get_potential_energy(), atoms.get_potential_energies(), atoms.get_forces(), stress
    )


def forces_match_finite_differences(calculator: Factory, atoms: Atoms, rtol: float = 1e-6):
    """Forces equal -dE/dR by central differences, to rtol of the largest component."""
    _matches_numerical(calculator, atoms, "get_forces", calculate_numerical_forces, rtol)


def stress_matches_finite_differences(calculator: Factory, atoms: Atoms, rtol: float = 1e-6):
    """Stress equals (1/V) dE/d(strain) by central differences, to rtol of the largest."""
    _matches_numerical(calculator, atoms, "get_stress", calculate_numerical_stress, rtol)


def _matches_numerical(calculator: Factory, atoms: Atoms, getter: str, numerical, rtol: float):
    atoms = atoms.copy()
    atoms.calc = calculator()
    expected = numerical(atoms, eps=FD_STEP)
    scale = np.abs(expected).max()
    assert scale > 1e-5, f"{getter[4:]} too small to test: the structure does not interact"
    np.testing.assert_allclose(getattr(atoms, getter)(), expected, rtol=0, atol=rtol * scale)


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal 3x3 matrix (uniformly distributed; det +1 or -1)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    return q * np.sign(np.diag(r))


def invariant_under_rotation(calculator: Factory, atoms: Atoms, atol: float):
    """Energies unchanged, forces and stress rotated, for a proper and an improper rotation."""
    before = predicted(calculator, atoms)
    q0 = random_rotation(np.random.default_rng(0))
    for q in (q0, -q0):
        rotated = atoms.copy()
        rotated.positions = atoms.positions @ q.T
        rotated.cell = atoms.cell.array @ q.T
        after = predicted(calculator, rotated)
        np.testing.assert_allclose(after.energy, before.energy, rtol=0, atol=atol)
        np.testing.assert_allclose(after.energies, before.energies, rtol=0, atol=atol)
        np.testing.assert_allclose(after.forces, before.forces @ q.T, rtol=0, atol=atol)
        if before.stress is not None:
            expected = q @ voigt_6_to_full_3x3_stress(before.stress) @ q.T
            stress = full_3x3_to_voigt_6_stress(expected)
            np.testing.assert_allclose(after.stress, stress, rtol=0, atol=atol)


def invariant_under_translation(calculator: Factory, atoms: Atoms, atol: float):
    """Nothing changes when every atom moves by the same vector (folded back into the cell)."""
    before = predicted(calculator, atoms)
    moved = atoms.copy()
    moved.positions += [3.7, -12.1, 5.3]
    if atoms.pbc.any():
        moved.wrap()
    _assert_same(predicted(calculator, moved), before, atol)


def invariant_under_permutation(calculator: Factory, atoms: Atoms, atol: float):
    """Renumbering the atoms renumbers their energies and forces, nothing else."""
    before = predicted(calculator, atoms)
    order = np.roll(np.arange(len(atoms)), 1)
    after = predicted(calculator, atoms[order])
    expected = before._replace(energies=before.energies[order], forces=before.forces[order])
    _assert_same(after, expected, atol)


def extensive_over_supercells(calculator: Factory, atoms: Atoms, repeat, atol: float):
    """A supercell's copies of an atom have its energy and force; the stress is unchanged."""
    copies = int(np.prod(repeat))
    before = predicted(calculator, atoms)
    after = predicted(calculator, atoms.repeat(repeat))
    expected = Predicted(
        copies * before.energy,
        np.tile(before.energies, copies),
        np.tile(before.forces, (copies, 1)),
        before.stress,
    )
    _assert_same(after, expected, atol * copies)


def explicit_images_equal_periodic(calculator: Factory, atoms: Atoms, reach: float, atol):
    """Each atom's energy in the periodic cell equals that of the same atom at the centre of a
    non-periodic cluster of all images within `reach` (Å, the model's receptive field)."""
    energies = predicted(calculator, atoms).energies
    for centre in range(len(atoms)):
        cluster = cluster_around(atoms, centre, reach + 0.5)
        assert len(cluster) > 3 * len(atoms)
        found = predicted(calculator, cluster).energies[0]
        np.testing.assert_allclose(found, energies[centre], rtol=0, atol=atol)


def cluster_around(atoms: Atoms, centre: int, radius: float) -> Atoms:
    """Non-periodic cluster of all images of `atoms` within radius of atom `centre`, with the
    centre atom first."""
    spacing = 1 / np.linalg.norm(np.linalg.inv(atoms.cell.array), axis=0)
    n = int(np.ceil((radius + spacing.max()) / spacing.min())) + 1
    images = atoms.repeat(2 * n + 1)
    images.positions -= atoms.cell.array.sum(axis=0) * n
    distance = np.linalg.norm(images.positions - atoms.positions[centre], axis=1)
    order = np.argsort(distance)
    keep = order[distance[order] < radius]
    return Atoms(images.numbers[keep], positions=images.positions[keep])


def smooth_at_cutoff(calculator: Factory, pair: Callable[[float], Atoms], cutoff: float):
    """A pair of atoms: energy and forces continuous where their distance crosses the cutoff,
    the isolated atoms' energy and no force beyond it, and a vanishing force just inside."""
    h = 1e-7
    inside = predicted(calculator, pair(cutoff - h))
    outside = predicted(calculator, pair(cutoff + h))
    isolated = sum(predicted(calculator, Atoms([s])).energy for s in pair(cutoff).symbols)
    assert abs(inside.energy - outside.energy) < 1e-6
    assert np.abs(inside.forces - outside.forces).max() < 1e-5
    np.testing.assert_allclose(outside.energy, isolated, rtol=0, atol=1e-10)
    assert not np.abs(outside.forces).max() > 1e-12
    near = predicted(calculator, pair(cutoff - 1e-4))
    assert np.abs(near.forces).max() < 1e-3


def isolated_atoms_feel_no_force(calculator: Factory, elements: Sequence[str]):
    """A lone atom of each element: a finite energy and zero force."""
    for element in elements:
        alone = predicted(calculator, Atoms(element))
        assert np.isfinite(alone.energy)
        assert not np.abs(alone.forces).max() > 1e-12


def to_frame(atoms: Atoms, source: str = "test") -> Frame:
    """An unlabelled Frame (energy 0, no forces or stress) of `atoms`, for the training path."""
    return Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc, 0.0, source=source)


def _training_predictions(model: Potential, structures: Sequence[Atoms]):
    prepared = [prepare_frame(to_frame(a), model, model.dtype, group=0) for a in structures]
    batch = collate(prepared)
    return batch, predict(model, batch.inputs, {"forces", "stress"})


def training_path_equals_calculator(model: Potential, atoms: Atoms, atol: float):
    """Prepared frames through mlpot.models.predict give the calculator's results."""
    _, result = _training_predictions(model, [atoms])
    expected = predicted(lambda: _calculator(model), atoms)
    np.testing.assert_allclose(result.energy.item(), expected.energy, rtol=0, atol=atol)
    np.testing.assert_allclose(_np(result.forces), expected.forces, rtol=0, atol=atol)
    if expected.stress is not None:
        np.testing.assert_allclose(_np(result.stress[0]), expected.stress, rtol=0, atol=atol)
    else:
        assert not result.stress.any()


def batch_equals_single(model: Potential, structures: Sequence[Atoms], atol: float):
    """A batch of several structures gives each structure's own predictions."""
    batch, together = _training_predictions(model, structures)
    atoms_at = np.cumsum([0] + [len(a) for a in structures])
    for s, atoms in enumerate(structures):
        _, alone = _training_predictions(model, [atoms])
        rows = slice(atoms_at[s], atoms_at[s + 1])
        np.testing.assert_allclose(_np(together.energy[s]), _np(alone.energy[0]), atol=atol)
        np.testing.assert_allclose(_np(together.forces[rows]), _np(alone.forces), atol=atol)
        np.testing.assert_allclose(_np(together.stress[s]), _np(alone.stress[0]), atol=atol)


def float32_close_to_float64(model: Potential, structures: Sequence[Atoms]):
    """The model in float32 agrees with float64 to float32 precision (relative 1e-4 of the
    largest value of each quantity)."""
    single = copy.deepcopy(model).to(torch.float32)
    double = copy.deepcopy(model).to(torch.float64)
    for atoms in structures:
        a = predicted(lambda: _calculator(single), atoms)
        b = predicted(lambda: _calculator(double), atoms)
        assert a.energy != b.energy, "not computed in single precision"
        for x, y in ((a.energies, b.energies), (a.forces, b.forces)):
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-4 * max(np.abs(y).max(), 1.0))


def save_load_round_trip(model: Potential, structures: Sequence[Atoms]):
    """A model written to a model file's dictionary and read back predicts the same numbers."""
    loaded = model_from_dict(model_to_dict(model))
    assert type(loaded) is type(model)
    for atoms in structures:
        _assert_same(
            predicted(lambda: _calculator(loaded), atoms),
            predicted(lambda: _calculator(model), atoms),
            0.0,
        )


def _calculator(model: Potential) -> Calculator:
    from mlpot.calculators import MlpotCalculator

    return MlpotCalculator(model)


def _assert_same(found: Predicted, expected: Predicted, atol: float):
    np.testing.assert_allclose(found.energy, expected.energy, rtol=0, atol=atol)
    np.testing.assert_allclose(found.energies, expected.energies, rtol=0, atol=atol)
    np.testing.assert_allclose(found.forces, expected.forces, rtol=0, atol=atol)
    if expected.stress is not None:
        np.testing.assert_allclose(found.stress, expected.stress, rtol=0, atol=atol)


def _np(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().double().cpu().numpy()
