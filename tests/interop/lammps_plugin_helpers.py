"""Models and checks shared by the tests of pair_style mlpot (the LAMMPS plugin)."""

from __future__ import annotations

import numpy as np
import torch
from ase import Atoms
from physics_helpers import bulk_alni, compute_descriptors, molecule, slab, triclinic

from mlpot.config.sections import DescriptorsConfig
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.generator import default_symmetry_functions
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

ELEMENTS = ("Al", "Ni")
STRUCTURES = {
    "small_cell": bulk_alni,  # cubic cell of 3.57 Å, shorter than the cutoff
    "triclinic": triclinic,
    "slab": slab,  # vacuum along z
    "cluster": molecule,  # no cell
}


def default_recipe_model(seed: int = 2) -> NeuralNetworkPotential:
    """A model shaped like `mlpot train`'s default: the default symmetry functions with three
    angular shells and the two-shell functions, 32-32 shifted softplus networks, min-max
    scaling with PCA and the descriptors' training range, all fitted on the test structures."""
    recipe = DescriptorsConfig(n_radial=8, angular_shells=3, mixed_shells=True)
    sfset = default_symmetry_functions(list(ELEMENTS), 4.6, r_min=1.8, recipe=recipe)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        networks = {e: NetworkSpec((32, 32), "shifted_softplus") for e in ELEMENTS}
        model = NeuralNetworkPotential(sfset, networks)
    acsf = ACSF(sfset)
    structures = [f() for f in STRUCTURES.values()] + [bulk_alni(seed=7).repeat(2)]
    g = np.concatenate([compute_descriptors(acsf, atoms) for atoms in structures])
    species = np.concatenate([acsf.species(atoms.numbers) for atoms in structures])
    for e, element in enumerate(ELEMENTS):
        rows = torch.from_numpy(g[species == e, : sfset.n_features(element)])
        model.scalers[element].fit(rows, "minmax", pca=True, pca_epsilon=1e-4)
        model.descriptor_ranges[element].fit(rows)
    model.reference_energies.copy_(torch.tensor([-2.9, -5.1]))
    model.energy_scale.fill_(0.3)
    return model


def assert_agrees(result, atoms: Atoms, label: str, rtol: float = 1e-10) -> None:
    """LAMMPS's single point `result` against the model's MlpotCalculator on `atoms`."""
    energy = atoms.get_potential_energy()
    forces, energies = atoms.get_forces(), atoms.get_potential_energies()
    assert abs(result.energy - energy) <= rtol * abs(energy), label
    np.testing.assert_allclose(result.forces, forces, rtol=0, atol=rtol * np.abs(forces).max(),
                               err_msg=label)
    np.testing.assert_allclose(result.energies, energies, rtol=0,
                               atol=rtol * np.abs(energies).max(), err_msg=label)
    virial_scale = np.abs(result.virial).max()
    np.testing.assert_allclose(result.atom_virials.sum(0), result.virial, rtol=0,
                               atol=1e-12 * virial_scale, err_msg=label)
    np.testing.assert_allclose(result.atom_virials, atom_virials(atoms.calc.models[0], atoms),
                               rtol=0, atol=rtol * virial_scale, err_msg=label)
    if atoms.pbc.all():
        stress = atoms.get_stress()
        np.testing.assert_allclose(result.stress(atoms), stress, rtol=0,
                                   atol=rtol * np.abs(stress).max(), err_msg=label)


def atom_virials(model, atoms: Atoms) -> np.ndarray:
    """(N, 3, 3) eV: per-atom virials as pair_style mlpot splits them, from mlpot's own pair
    gradients: each pair term r_ij (x) dE_i/dr_ij half to i and half to j, the upper triangle
    (xy, xz, yz from r_a dE/dr_b with a < b) mirrored, as compute stress/atom reports them."""
    from mlpot.models.inputs import ModelInputs
    from mlpot.models.predict import predict

    structure = model.structure_inputs(atoms.numbers, atoms.positions, atoms.cell.array,
                                       atoms.pbc)
    inputs = ModelInputs.of_structure(structure, atoms.cell.array, atoms.pbc, model.dtype)
    gradients = predict(model, inputs, {"forces"}).pair_gradients.detach().double().numpy()
    terms = 0.5 * np.einsum("pa,pb->pab", inputs.pair_vectors.double().numpy(), gradients)
    upper = np.triu(terms) + np.transpose(np.triu(terms, 1), (0, 2, 1))
    result = np.zeros((len(atoms), 3, 3))
    np.add.at(result, inputs.pair_first.numpy(), upper)
    np.add.at(result, inputs.pair_second.numpy(), upper)
    return result
