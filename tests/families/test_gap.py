"""The GAP family (SOAP + two-body sparse GP): physics suite, kernels against references,
the solve, the variance and training from a config."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase.build import bulk
from ase.calculators.emt import EMT

pytest.importorskip("featomic")

from mlpot.data.frame import Frame  # noqa: E402
from mlpot.models.gap.fit import FitSettings, fit_gap  # noqa: E402
from mlpot.models.gap.kernels import TwoBodySettings  # noqa: E402
from mlpot.models.gap.model import GapPotential  # noqa: E402
from mlpot.models.gap.soap import SoapSettings  # noqa: E402
from mlpot.testing.suite import PotentialPhysicsTests  # noqa: E402

SOAP = SoapSettings(cutoff=4.0, width=1.0, l_max=3, n_max=3, atom_sigma=0.5,
                    scaling_exponent=6, scaling_scale=3.0)
TWO_BODY = TwoBodySettings(cutoff=4.0, width=1.0, r_min=1.8, n_points=6, theta=0.6)


def emt_frames(count: int, seed: int = 0, rattle: float = 0.08) -> list[Frame]:
    """Rattled, strained Cu/Ni fcc cells labelled by EMT."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(count):
        atoms = bulk("Cu", "fcc", a=3.6 * (1 + rng.uniform(-0.03, 0.03)), cubic=True)
        atoms.numbers[rng.choice(4, size=k % 3, replace=False)] = 28
        atoms.positions += rng.normal(0, rattle, atoms.positions.shape)
        atoms.calc = EMT()
        frames.append(Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc,
                            atoms.get_potential_energy(), atoms.get_forces(),
                            atoms.get_stress(), source=f"emt:{k}"))
    return frames


def fitted_model(n_frames: int = 6, n_sparse: int = 8, **settings) -> GapPotential:
    model = GapPotential(("Cu", "Ni"), SOAP, TWO_BODY)
    fit_gap(model, FitSettings(n_sparse=n_sparse, **settings), emt_frames(n_frames))
    return model


class TestGapPhysics(PotentialPhysicsTests):
    # the cosine cutoffs (featomic's and the two-body one) are C1: a pair near where the
    # curvature jumps makes central differences err linearly in the step (7e-5 here)
    fd_rtol = 1e-4

    @pytest.fixture(scope="class")
    @classmethod
    def model(cls):
        return fitted_model()


def _small_cell(images: bool):
    if images:  # shorter than the cutoff: atoms meet their own and several other images
        atoms = bulk("Cu", "fcc", a=3.6, cubic=False).repeat((1, 1, 2))
    else:
        atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat((3, 2, 2))
    atoms.positions += np.random.default_rng(1).normal(0, 0.05, atoms.positions.shape)
    atoms.numbers[0] = 28
    return atoms


def _densities(atoms, positions, gradients=True):
    from mlpot.models.gap.descriptors import atom_expansion
    from mlpot.neighbours.pairs import neighbour_pairs

    pairs = neighbour_pairs(positions, atoms.cell.array, atoms.pbc, SOAP.cutoff)
    shifts = np.rint(pairs.shifts).astype(np.int64)
    return pairs, atom_expansion(SOAP, np.array([29, 28]), atoms.numbers, pairs.first,
                                 pairs.second, shifts, pairs.vectors, gradients)


def _pair_sum_reference(atoms):
    """Densities (A, S, F) as featomic's per-pair expansion summed by hand: each directed pair
    (every periodic image its own) adds its c_p to its centre's row of the neighbour's species,
    plus each centre's own term."""
    import featomic
    from ase.neighborlist import neighbor_list

    n_max = SOAP.n_max
    expansion = featomic.SphericalExpansionByPair(**SOAP.hypers()).compute(atoms)
    species = {29: 0, 28: 1}
    density = np.zeros((len(atoms), 2, SOAP.n_coefficients))
    for key, block in expansion.items():
        lam = int(key["o3_lambda"])
        columns = slice(lam * lam * n_max, (lam + 1) ** 2 * n_max)
        s = species[int(key["second_atom_type"])]
        samples = block.samples.values
        if len(samples) == 0:
            continue
        values = block.values.reshape(len(samples), -1)
        for row, (_, i, j, *shift) in enumerate(samples):
            if i == j and not any(shift):
                density[i, species[atoms.numbers[i]], columns] += values[row]
            else:
                density[i, s, columns] += values[row]
    assert len(neighbor_list("i", atoms, SOAP.cutoff)) > 0
    return density


@pytest.mark.parametrize("images", [True, False], ids=["cell shorter than the cutoff", "wide"])
def test_densities_equal_the_pair_sums_of_featomic(images):
    """The per-atom route with image atoms gives each atom's density as the sum of the
    per-pair expansions of every neighbour and image."""
    atoms = _small_cell(images)
    density = _densities(atoms, atoms.positions, gradients=False)[1][0]
    reference = _pair_sum_reference(atoms)
    assert np.abs(reference).max() > 0.1
    np.testing.assert_allclose(density, reference, rtol=0, atol=1e-12)


def test_radial_scaling_weighs_each_neighbour_by_its_distance():
    """A Cu-Ni dimer: the Ni part of the Cu atom's density is the unscaled one times
    rate / (rate + (r / scale)^exponent); the Cu atom's own term is not scaled."""
    from dataclasses import replace

    from ase import Atoms

    from mlpot.models.gap.descriptors import atom_expansion

    r = 2.7
    atoms = Atoms("CuNi", positions=[[0, 0, 0], [0.3, 0.4, np.sqrt(r * r - 0.25)]])
    positions = atoms.positions
    first, second = np.array([0, 1]), np.array([1, 0])
    vectors = positions[second] - positions[first]
    shifts = np.zeros((2, 3), dtype=np.int64)
    density = {}
    for name, soap in (("scaled", SOAP), ("plain", replace(SOAP, scaling_exponent=0))):
        density[name] = atom_expansion(soap, np.array([29, 28]), atoms.numbers, first, second,
                                       shifts, vectors, False)[0]
    u = SOAP.scaling_rate / (SOAP.scaling_rate + (r / SOAP.scaling_scale) ** SOAP.scaling_exponent)
    assert 0.2 < u < 0.8
    np.testing.assert_allclose(density["scaled"][0, 1], u * density["plain"][0, 1], atol=1e-12)
    np.testing.assert_allclose(density["scaled"][0, 0], density["plain"][0, 0], atol=1e-12)
    assert np.abs(density["plain"][0, 1]).max() > 1e-3


@pytest.mark.parametrize("images", [True, False], ids=["cell shorter than the cutoff", "wide"])
def test_soap_pair_derivatives_match_finite_differences_of_featomic(images):
    """dc_p/dr_p of every pair (each image its own, through the image atoms) against finite
    differences of the densities: moving atom a changes c_i by the sum over i's pairs with a
    (or an image of a) as neighbour, less those of a's own pairs when i = a."""
    atoms = _small_cell(images)
    pairs, (_, derivatives) = _densities(atoms, atoms.positions)
    dense = derivatives.dense()
    assert np.any(pairs.first == pairs.second) == images
    species = np.where(atoms.numbers == 29, 0, 1)
    step = 1e-5
    for atom in range(len(atoms) if images else 3):
        for axis in range(3):
            moved = [atoms.positions.copy() for _ in range(2)]
            moved[0][atom, axis] += step
            moved[1][atom, axis] -= step
            plus = _densities(atoms, moved[0], False)[1][0]
            minus = _densities(atoms, moved[1], False)[1][0]
            sign = (pairs.second == atom).astype(float) - (pairs.first == atom)
            analytic = np.zeros_like(plus)
            np.add.at(analytic, (pairs.first, species[pairs.second]),
                      dense[:, :, axis] * sign[:, None])
            np.testing.assert_allclose(analytic, (plus - minus) / (2 * step), atol=1e-8)


def test_kernel_row_gradients_equal_autograd_jacobians():
    """The analytic d(sum_i Phi_im)/dr_p of the design rows against torch.func.jacrev of the
    same sums through the power spectrum (the slow, obvious route)."""
    from mlpot.models.gap.descriptors import atom_expansion
    from mlpot.models.gap.design import structure_inputs
    from mlpot.models.gap.kernel_gradients import soap_pair_gradients
    from mlpot.models.gap.kernels import soap_kernel
    from mlpot.models.gap.soap import power_spectrum, soap_pairs

    model = fitted_model()
    frame = emt_frames(1, seed=3)[0]
    inputs = structure_inputs(model, frame)
    first, second, shifts, vectors = soap_pairs(inputs, inputs.pair_vectors, SOAP.cutoff)
    species = inputs.species
    density, derivatives = atom_expansion(
        SOAP, model.numbers, model.numbers[species.numpy()], first.numpy(), second.numpy(),
        np.rint(shifts.numpy()).astype(np.int64), vectors.numpy())
    density = torch.from_numpy(density)

    def summed(d):
        q = power_spectrum(SOAP, d)
        return soap_kernel(q, species, model.sparse, model.sparse_species, model.zeta,
                           model.delta).sum(0)

    jacobian = torch.func.jacrev(summed)(density)  # (M, A, S, F)
    derivatives = torch.from_numpy(derivatives.dense())
    reference = torch.einsum("mpf,pfx->mpx", jacobian[:, first, species[second]], derivatives)
    analytic = soap_pair_gradients(model, density, species, first, species[second], derivatives)
    assert reference.abs().max() > 1e-3
    torch.testing.assert_close(analytic, reference, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def route_model():
    return fitted_model()


@pytest.mark.parametrize("kind", ["cluster", "cell shorter than the cutoff"])
def test_forces_kept_differentiable_equal_the_plain_ones(route_model, kind):
    """The backward pass contracts featomic's rows with torch when the graph must stay
    differentiable (create_graph) and with NumPy otherwise: both give the same forces, and
    the kept graph reaches the weights."""
    from mlpot.models.gap.design import structure_inputs
    from mlpot.models.predict import predict

    atoms = _small_cell(images=True)
    if kind == "cluster":
        atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat((2, 2, 2))
        atoms.positions += np.random.default_rng(7).normal(0, 0.1, atoms.positions.shape)
        atoms.numbers[::3] = 28
        atoms.pbc, atoms.cell = False, np.zeros((3, 3))
    frame = Frame(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc, 0.0)
    inputs = structure_inputs(route_model, frame)
    plain = predict(route_model, inputs, {"forces"}).forces
    weights = route_model.weights
    route_model.weights = weights.clone().requires_grad_(True)
    try:
        kept = predict(route_model, inputs, {"forces"}, create_graph=True).forces
        (weight_grad,) = torch.autograd.grad(kept.square().sum(), route_model.weights)
    finally:
        route_model.weights = weights
    torch.testing.assert_close(kept.detach(), plain, rtol=0, atol=1e-12)
    assert weight_grad.abs().max() > 0


def _cur_reference(x, n):
    """Leverage scores one row at a time from the eigenvectors of x x^T."""
    values, vectors = np.linalg.eigh(x @ x.T)
    top = vectors[:, np.argsort(-values)[:n]]
    scores = [sum(top[i, j] ** 2 for j in range(top.shape[1])) for i in range(len(x))]
    return sorted(sorted(range(len(x)), key=lambda i: -scores[i])[:n])


def test_cur_picks_the_rows_of_largest_leverage():
    from mlpot.models.gap.sparse import cur_rows

    x = np.random.default_rng(2).normal(size=(30, 12)) * np.linspace(3, 0.1, 12)
    for n in (1, 4, 9):
        assert cur_rows(x, n).tolist() == _cur_reference(x, n)


def test_cur_adds_rows_outside_the_span_of_those_held():
    from mlpot.models.gap.sparse import cur_rows

    x = np.zeros((5, 3))
    x[:3, 0] = [1.0, 2.0, 3.0]  # all along the held direction
    x[3:, 1:] = [[0.0, 0.5], [0.2, 0.0]]
    assert set(cur_rows(x, 2, exclude=np.array([[1.0, 0, 0]])).tolist()) == {3, 4}


def _randomised_cur_reference(x, n, seed):
    """GAP's cur_points written out: rows ranked by u_i - min(1, n p_i / k) (leverage scores
    p_i, the same uniform draws u_i), the n lowest."""
    values, _ = np.linalg.eigh(x @ x.T)
    k = min(n, int(np.sum(values > values.max() * 1e-20)))
    scores = np.array([sum(v**2 for v in row) for row in _top_vectors(x, k)])
    keep = [min(1.0, n * p / k) for p in scores]
    draws = np.random.default_rng(seed).random(len(x))
    ranked = sorted(range(len(x)), key=lambda i: draws[i] - keep[i])
    return sorted(ranked[:n])


def _top_vectors(x, k):
    values, vectors = np.linalg.eigh(x @ x.T)
    return vectors[:, np.argsort(-values)[:k]]


def test_randomised_cur_follows_the_leverage_probabilities():
    from mlpot.models.gap.sparse import cur_rows

    x = np.random.default_rng(4).normal(size=(40, 10)) * np.linspace(3, 0.1, 10)
    x[7] *= 6.0  # one environment far from the rest: leverage about 1
    for n, seed in ((3, 0), (8, 1), (12, 2)):
        chosen = cur_rows(x, n, None, np.random.default_rng(seed))
        assert chosen.tolist() == _randomised_cur_reference(x, n, seed)
    counts = np.zeros(len(x))
    for seed in range(300):
        counts[cur_rows(x, 5, None, np.random.default_rng(seed))] += 1
    scores = np.sum(_top_vectors(x, 5) ** 2, axis=1)
    assert counts[7] > 0.8 * 300  # the largest leverage: taken in most draws
    order = np.argsort(scores)
    assert counts[order[-10:]].mean() > 3 * counts[order[:10]].mean()


def test_the_fit_seed_chooses_the_sparse_points():
    frames = emt_frames(6)
    models = []
    for seed in (0, 0, 1):
        model = GapPotential(("Cu", "Ni"), SOAP, TWO_BODY)
        fit_gap(model, FitSettings(n_sparse=8, seed=seed), frames)
        models.append(model)
    assert torch.equal(models[0].sparse, models[1].sparse)
    assert not torch.equal(models[0].sparse, models[2].sparse)


def test_farthest_points_spread_out():
    from mlpot.models.gap.sparse import farthest_rows

    x = np.array([[0.0], [0.1], [5.0], [10.0], [10.1]])
    assert sorted(farthest_rows(x, 3).tolist()) in ([0, 2, 3], [0, 2, 4], [1, 2, 3], [1, 2, 4])


def test_sparse_solve_equals_the_dense_normal_equations():
    from mlpot.models.gap.solve import solve_sparse_gp

    rng = np.random.default_rng(3)
    basis = rng.normal(size=(5, 5))
    kmm = torch.from_numpy(basis @ basis.T + 5 * np.eye(5))
    knm = torch.from_numpy(rng.normal(size=(12, 5)))
    y = torch.from_numpy(rng.normal(size=12))
    sigma = torch.from_numpy(rng.uniform(0.1, 1.0, 12))
    solution = solve_sparse_gp(kmm, knm, y, sigma, jitter=0.0)
    inv_noise = torch.diag(sigma**-2)
    dense = torch.linalg.solve(kmm + knm.T @ inv_noise @ knm, knm.T @ inv_noise @ y)
    torch.testing.assert_close(solution.weights, dense, rtol=1e-10, atol=1e-12)
    covariance = solution.r_inverse @ solution.r_inverse.T
    torch.testing.assert_close(covariance, torch.linalg.inv(kmm + knm.T @ inv_noise @ knm))


def test_variance_is_small_at_training_points_and_grows_away():
    from mlpot.models.gap.calculator import GapCalculator

    frames = emt_frames(4, rattle=0.05)
    model = GapPotential(("Cu", "Ni"), SOAP, TWO_BODY)
    fit_gap(model, FitSettings(n_sparse=60, energy_sigma=1e-4, force_sigma=1e-3), frames)
    calc = GapCalculator(model)
    seen = frames[0].to_atoms(with_labels=False)
    seen.calc = calc
    at_training = calc.get_property("energies_std", seen)
    far = seen.copy()
    far.positions += np.random.default_rng(5).normal(0, 0.35, far.positions.shape)
    far.calc = calc
    away = calc.get_property("energies_std", far)
    total_seen = calc.get_property("energy_std", seen)
    total_far = calc.get_property("energy_std", far)
    assert total_seen < 0.01 * model.delta  # an observed total, sigma 1e-4 eV/atom
    assert total_far > 10 * total_seen
    assert away.mean() > at_training.mean()


def test_continued_fit_keeps_the_sparse_points_and_adds_new_ones():
    model = fitted_model(n_frames=4, n_sparse=5)
    old = model.sparse.clone()
    e0 = model.e0.clone()
    fit_gap(model, FitSettings(n_sparse=3), emt_frames(4, seed=9), keep_function=True)
    assert model.n_sparse == len(old) + 6
    torch.testing.assert_close(model.sparse[: len(old)], old)
    torch.testing.assert_close(model.e0, e0)
    assert bool((e0 != 0).all())


def test_design_rows_times_the_weights_are_the_predictions():
    from mlpot.calculators import MlpotCalculator
    from mlpot.models.gap.design import design_rows, structure_inputs
    from mlpot.models.gap.fit import VOIGT

    model = fitted_model()
    frame = emt_frames(3, seed=4)[2]
    inputs = structure_inputs(model, frame)
    rows = design_rows(model, inputs)
    atoms = frame.to_atoms(with_labels=False)
    atoms.calc = MlpotCalculator(model)
    energy = rows.energy @ model.weights + model.e0[inputs.species].sum()
    assert float(energy) == pytest.approx(atoms.get_potential_energy(), abs=1e-10)
    np.testing.assert_allclose((rows.forces @ model.weights).numpy(), atoms.get_forces(),
                               atol=1e-10)
    virial = torch.stack([rows.virial[a, b] for a, b in VOIGT]) @ model.weights
    np.testing.assert_allclose(virial.numpy() / atoms.get_volume(), atoms.get_stress(),
                               atol=1e-10)


def test_train_from_a_config_and_continue(tmp_path):
    import yaml
    from ase.io import write

    from mlpot.cli.main import main
    from mlpot.models.serialization import load_model

    structures = [f.to_atoms() for f in emt_frames(6)]
    write(tmp_path / "train.xyz", structures, format="extxyz")
    section = {"family": "gap", "n_sparse": 6,
               "soap": {"cutoff": 4.0, "width": 1.0, "l_max": 3, "n_max": 3},
               "two_body": {"cutoff": 4.0, "n_points": 6, "r_min": 1.8}}
    config = {"output": str(tmp_path / "run"), "model": section,
              "data": {"train": [{"name": "emt", "files": [str(tmp_path / "train.xyz")]}],
                       "validation": 0.0}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "config.yaml"), "--no-progress"]) == 0
    model = load_model(tmp_path / "run" / "model.pt")
    assert model.family == "gap" and model.n_sparse == 12
    config["output"] = str(tmp_path / "more")
    (tmp_path / "more.yaml").write_text(yaml.safe_dump(config))
    argv = ["train", str(tmp_path / "more.yaml"), "--no-progress",
            "--init-model", str(tmp_path / "run" / "model.pt")]
    assert main(argv) == 0
    more = load_model(tmp_path / "more" / "model.pt")
    assert more.n_sparse > 12
    torch.testing.assert_close(more.sparse[:12], model.sparse)


def test_md_logs_the_energy_std_and_stops_at_its_threshold(tmp_path, capsys):
    from ase.io import write

    from mlpot.cli.main import main
    from mlpot.models.serialization import save_model

    save_model(fitted_model(n_frames=4, n_sparse=6), tmp_path / "gap.pt")
    atoms = emt_frames(1, seed=3)[0].to_atoms(with_labels=False)
    write(tmp_path / "start.xyz", atoms)
    log = tmp_path / "md.csv"
    argv = ["md", str(tmp_path / "gap.pt"), str(tmp_path / "start.xyz"), "--steps", "4",
            "--interval", "2", "--temperature", "300", "--no-progress", "--log", str(log),
            "--max-energy-std", "1e-9", "--on-threshold", "stop", "--seed", "1"]
    assert main(argv) == 2  # stopped by the threshold
    assert "energy_std" in log.read_text().splitlines()[0]
    assert "energy std" in capsys.readouterr().err


def test_a_model_file_without_radial_scaling_loads_unscaled():
    """Model files written before the radial scaling existed keep their plain densities."""
    spec = fitted_model(n_frames=2, n_sparse=4).spec()
    for key in ("scaling_exponent", "scaling_scale", "scaling_rate"):
        del spec["soap"][key]
    assert GapPotential.from_spec(spec).soap.scaling_exponent == 0
