"""Exploration: composition and strain variants, MD snapshots with the ensemble's uncertainty,
and normal-mode sampling (finite-difference Hessian, equipartition, displacement cap)."""

from __future__ import annotations

import numpy as np
import pytest
from active_setup import starting_structures
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from physics_helpers import make_model

from mlpot.active.config import ExploreConfig, Substitution
from mlpot.active.explore import (
    Variant,
    explore,
    md_snapshots,
    shortest_distance,
    substituted,
    too_close,
    uncertainty_of,
    variants,
)
from mlpot.active.normal_modes import finite_difference_hessian, mode_displacements
from mlpot.uncertainty import EnsembleCalculator


@pytest.fixture(scope="module")
def ensemble():
    return EnsembleCalculator([make_model(seed=0), make_model(seed=1)])


def test_substitution_and_strain_variants():
    rng = np.random.default_rng(0)
    al = bulk("Al", "fcc", a=4.0, cubic=True).repeat((2, 1, 1))
    changed = substituted(al, Substitution(replace="Al", by="Ni", fraction=0.25), rng)
    assert changed.get_chemical_symbols().count("Ni") == 2
    assert (
        substituted(
            bulk("Ni", "fcc", a=3.5), Substitution(replace="Al", by="Ni", fraction=0.5), rng
        )
        is None
    )
    cfg = ExploreConfig(
        temperatures=[300.0],
        strains=[0.0, 0.05],
        substitutions=[Substitution(replace="Al", by="Ni", fraction=0.25)],
    )
    found = variants([al, bulk("Ni", "fcc", a=3.5, cubic=True)], cfg, rng)
    # Al8: pure and substituted, Ni4: no Al to substitute; each at two strains
    assert len(found) == 2 * 2 + 1 * 2
    volumes = [v.atoms.get_volume() for v in found[:2]]
    assert volumes[1] == pytest.approx(volumes[0] * 1.05**3)
    assert found[1].atoms.get_scaled_positions() == pytest.approx(al.get_scaled_positions())


def test_md_snapshots_record_uncertainty_and_stop_at_upper(ensemble):
    cfg = ExploreConfig(temperatures=[600.0], steps=12, interval=3, timestep=1.0)
    variant = Variant("Ni3Al", starting_structures()[2])
    snapshots = md_snapshots(variant, ensemble, cfg, 600.0, None, 5, stop=lambda v: False)
    assert len(snapshots) == 5  # steps 0, 3, 6, 9, 12
    first = snapshots[0]
    assert first.calc is None and first.positions == pytest.approx(variant.atoms.positions)
    check = first.copy()
    check.calc = ensemble
    check.get_forces()
    assert first.info["max_force_deviation"] == pytest.approx(
        ensemble.results["max_force_deviation"]
    )
    assert first.info["energy_std_per_atom"] == pytest.approx(ensemble.results["energy_std"] / 4)
    assert "step 12" in snapshots[-1].info["origin"]
    stopped = md_snapshots(variant, ensemble, cfg, 600.0, None, 5, stop=lambda v: True)
    assert len(stopped) == 1 and "too_close" not in stopped[0].info


def test_md_stops_at_a_collapse(ensemble):
    cfg = ExploreConfig(temperatures=[600.0], steps=12, interval=3, timestep=1.0)
    variant = Variant("Ni3Al", starting_structures()[2])
    nearest = shortest_distance(variant.atoms)
    assert nearest == pytest.approx(3.57 / 2**0.5)
    assert not too_close(variant.atoms, nearest - 1e-6) and too_close(variant.atoms, nearest + 1e-6)
    # every structure of the run is closer than this: the first one ends it
    (first,) = md_snapshots(variant, ensemble, cfg, 600.0, None, 5, lambda v: False, 10.0)
    assert first.info["too_close"]
    kept = md_snapshots(variant, ensemble, cfg, 600.0, None, 5, lambda v: False, 0.5 * nearest)
    assert len(kept) == 5 and not any("too_close" in a.info for a in kept)


def test_npt_exploration_uses_the_pressure(ensemble, tmp_path):
    cfg = ExploreConfig(temperatures=[300.0], pressures=[5.0], steps=4, interval=2)
    found = explore(
        [starting_structures()[2]],
        ensemble,
        cfg,
        iteration=1,
        stop=lambda v: False,
        workdir=tmp_path,
    )
    assert len(found) == 3 and all("p 5 GPa" in a.info["origin"] for a in found)
    # NPT: the barostat changes the volume (NVT would keep it exactly)
    assert found[-1].get_volume() != pytest.approx(found[0].get_volume(), rel=1e-9, abs=0)


def test_finite_difference_hessian_matches_force_response(tmp_path):
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True)
    atoms.rattle(0.05, seed=3)
    hessian = finite_difference_hessian(atoms, EMT(), 0.005, tmp_path / "h")
    assert hessian.shape == (12, 12)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-12)
    step = 1e-3 * np.random.default_rng(0).standard_normal(atoms.positions.shape)
    moved = atoms.copy()
    moved.positions += step
    atoms.calc, moved.calc = EMT(), EMT()
    response = -(moved.get_forces() - atoms.get_forces()).ravel()
    np.testing.assert_allclose(hessian @ step.ravel(), response, atol=2e-4)
    # a rigid translation costs no force
    assert np.abs(hessian @ np.tile([1.0, 0.0, 0.0], 4)).max() < 1e-6


def test_mode_sampling_obeys_equipartition():
    rng = np.random.default_rng(1)
    # two atoms, springs along x (0.5 eV/Å^2) and y (4 eV/Å^2) between them, z free
    k = np.diag([0.5, 4.0, 0.0])
    hessian = np.block([[k, -k], [-k, k]])
    masses = np.array([27.0, 58.7])
    fields = mode_displacements(hessian, masses, 500.0, 20000, rng, max_displacement=10.0)
    energies = [0.5 * f.ravel() @ hessian @ f.ravel() for f in fields]
    # two vibrational modes, kB T / 2 of potential energy each
    assert np.mean(energies) == pytest.approx(units.kB * 500.0, rel=0.03)
    # modes do not move the centre of mass
    assert np.abs([masses @ f for f in fields]).max() < 1e-9


def test_mode_sampling_caps_the_displacement():
    hessian = np.block([[np.eye(3), -np.eye(3)], [-np.eye(3), np.eye(3)]]) * 0.01
    fields = mode_displacements(hessian, np.ones(2), 3000.0, 20, np.random.default_rng(2), 0.3)
    largest = max(np.linalg.norm(f, axis=1).max() for f in fields)
    assert largest == pytest.approx(0.3)


def test_metadynamics_kind_leaves_where_plain_md_stays(ensemble, tmp_path):
    """The same grid run plain and with hills on the committee's descriptors: the biased runs
    record the unbiased committee's uncertainty and their mean-descriptor projection travels
    several times farther from the start."""
    from mlpot.active.config import MetadynamicsExploreConfig
    from mlpot.sampling import DescriptorCV, pca_projection

    start = starting_structures()[2].repeat((2, 1, 1))
    start.rattle(0.05, seed=1)
    metad = MetadynamicsExploreConfig(height=0.2, widths=0.05, stride=4)
    cfg = ExploreConfig(temperatures=[300.0], steps=40, interval=4, timestep=1.0,
                        kinds=["md", "metadynamics"], metadynamics=metad)
    found = explore([start], ensemble, cfg, iteration=1, stop=lambda v: False,
                    workdir=tmp_path, reference=starting_structures())
    plain = [a for a in found if a.info["origin"].startswith("md ")]
    biased = [a for a in found if a.info["origin"].startswith("metad ")]
    assert len(plain) == len(biased) == 11
    check = biased[-1].copy()
    check.calc = ensemble
    assert uncertainty_of(check) == pytest.approx(
        {k: biased[-1].info[k] for k in ("max_force_deviation", "energy_std_per_atom")}
    )
    model = ensemble.models[0]
    cv = DescriptorCV(model, *pca_projection(model, starting_structures(), 2))

    def excursion(run):
        values = np.array([cv.evaluate(a).values for a in run])
        return np.linalg.norm(values - values[0], axis=1).max()

    assert excursion(biased) > 3 * excursion(plain)  # 0.10 against 0.014


def test_metadynamics_kind_refuses_pressures():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="NVT only"):
        ExploreConfig(temperatures=[300.0], pressures=[1.0], kinds=["metadynamics"])
