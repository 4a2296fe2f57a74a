"""Exploration: MD with the current ensemble over a grid of conditions, plus normal modes.

The grid is starting structure x composition (random substitutions) x strain x temperature x
pressure (NVT without pressures). Every `interval` steps the structure is recorded with the
ensemble's uncertainty in atoms.info:
    max_force_deviation   eV/Å, the largest per-atom deviation of the members' forces
    energy_std_per_atom   eV/atom, the members' energy standard deviation over N
    origin                which run and step produced it
A run stops at the first structure whose measure reaches `upper`: what follows is unphysical.
Any ASE calculator can drive the runs: with measure=no_uncertainty (distillation's teacher)
nothing is recorded beyond the origin and no run is stopped by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.active.config import ExploreConfig, Substitution
from mlpot.active.normal_modes import normal_mode_samples
from mlpot.errors import MlpotError
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.sampling.bias import Bias

MEASURES = ("max_force_deviation", "energy_std_per_atom")


def uncertainty_of(atoms: Atoms) -> dict[str, float]:
    """The uncertainty measures of atoms: both for an EnsembleCalculator, energy_std_per_atom
    only for a GAP's calculator (its predictive variance; it has no force deviation)."""
    atoms.get_forces()
    measures = {"energy_std_per_atom": atoms.calc.get_property("energy_std", atoms) / len(atoms)}
    if "max_force_deviation" in atoms.calc.results:
        measures["max_force_deviation"] = float(atoms.calc.results["max_force_deviation"])
    return {name: float(value) for name, value in measures.items()}


def no_uncertainty(atoms: Atoms) -> dict[str, float]:
    """The measure of a calculator without uncertainty (a teacher, an oracle): none."""
    return {}


MeasureFn = Callable[[Atoms], dict[str, float]]


@dataclass(frozen=True)
class Variant:
    """A starting structure after substitution and strain; label names both."""

    label: str
    atoms: Atoms


def substituted(atoms: Atoms, rule: Substitution, rng: np.random.Generator) -> Atoms | None:
    """A copy with round(fraction * count) (at least one) `replace` atoms turned into `by`;
    None when atoms holds no `replace` atom."""
    candidates = np.flatnonzero(np.array(atoms.get_chemical_symbols()) == rule.replace)
    if len(candidates) == 0:
        return None
    count = max(1, int(round(rule.fraction * len(candidates))))
    out = atoms.copy()
    out.symbols[rng.choice(candidates, size=count, replace=False)] = rule.by
    return out


def strained(atoms: Atoms, strain: float) -> Atoms:
    """A copy with cell and positions scaled by 1 + strain (linear, isotropic)."""
    out = atoms.copy()
    if strain != 0.0:
        out.set_cell(out.cell.array * (1.0 + strain), scale_atoms=True)
    return out


def variants(
    structures: list[Atoms], cfg: ExploreConfig, rng: np.random.Generator
) -> list[Variant]:
    """Every structure, and each substitution of it, at every strain."""
    out = []
    for n, atoms in enumerate(structures):
        compositions = [(atoms.get_chemical_formula(), atoms)]
        for rule in cfg.substitutions:
            changed = substituted(atoms, rule, rng)
            if changed is not None:
                compositions.append((changed.get_chemical_formula(), changed))
        for formula, composition in compositions:
            for strain in cfg.strains:
                out.append(
                    Variant(f"s{n} {formula} strain {strain:+g}", strained(composition, strain))
                )
    return out


def shortest_distance(atoms: Atoms, cutoff: float = 6.0) -> float:
    """The shortest interatomic distance (periodic images included) up to cutoff, Å."""
    pairs = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, cutoff)
    return float(pairs.distances.min(initial=cutoff))


def too_close(atoms: Atoms, limit: float) -> bool:
    """Whether two atoms (or periodic images) are closer than limit, Å."""
    if limit <= 0:
        return False
    return len(neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, limit).first) > 0


class _Runaway(Exception):
    """Raised inside an MD observer to end a run whose uncertainty reached the upper threshold."""


def md_snapshots(
    variant: Variant,
    calc,
    cfg: ExploreConfig,
    temperature: float,
    pressure: float | None,
    seed: int,
    stop: Callable[[dict[str, float]], bool],
    shortest: float = 0.0,
    measure: MeasureFn = uncertainty_of,
    bias: Bias | None = None,
) -> list[Atoms]:
    """Structures recorded every cfg.interval steps of one MD run (step 0 included), up to the
    first one for which stop(measure(atoms)) is true, that has two atoms closer than `shortest`
    Å (marked info["too_close"]), or after which the run becomes unstable. With a bias, the
    run is metadynamics (or guided MD) on calc; measure sees calc alone (unbiased)."""
    from mlpot.sampling.calculator import BiasedCalculator
    from mlpot.simulation.md import run_md

    kind = "md" if bias is None else "metad"
    label = f"{kind} {variant.label} T {temperature:g} K" + (
        "" if pressure is None else f" p {pressure:g} GPa"
    )
    found: list[Atoms] = []
    driver, step_observers = calc, []
    if bias is not None:
        driver = BiasedCalculator(calc, bias)
        step_observers.append(lambda: driver.observe(driver.atoms))

    def observe(atoms: Atoms, step: int) -> None:
        values = measure(atoms if bias is None else _with_calculator(atoms, calc))
        snapshot = atoms.copy()
        snapshot.info.update(values, origin=f"{label} step {step}")
        found.append(snapshot)
        if too_close(atoms, shortest):
            snapshot.info["too_close"] = True
            raise _Runaway
        if stop(values):
            raise _Runaway

    try:
        run_md(
            variant.atoms.copy(),
            driver,
            ensemble="nvt" if pressure is None else "npt",
            temperature_K=temperature,
            pressure_GPa=pressure or 0.0,
            timestep_fs=cfg.timestep,
            steps=cfg.steps,
            friction_per_fs=cfg.friction,
            interval=cfg.interval,
            seed=seed,
            progress=False,
            observers=[observe],
            step_observers=step_observers,
        )
    except (_Runaway, MlpotError):  # MlpotError: the energy is no longer finite
        pass
    return found


def _with_calculator(atoms: Atoms, calc) -> Atoms:
    """A copy of atoms with calc, whose results at these positions (computed under the bias)
    are reused."""
    view = atoms.copy()
    view.calc = calc
    return view


def explore(
    structures: list[Atoms],
    calc,
    cfg: ExploreConfig,
    *,
    iteration: int,
    stop: Callable[[dict[str, float]], bool],
    workdir: Path,
    shortest: float = 0.0,
    progress: bool = False,
    reference: list[Atoms] | None = None,
) -> list[Atoms]:
    """All structures explored in one iteration: MD snapshots of each of cfg.kinds, then
    normal-mode samples (the Hessians' finite-difference caches go below workdir). MD runs end
    at two atoms closer than `shortest` Å (see md_snapshots). The metadynamics kind projects
    descriptors on the principal axes of `reference` (default: structures)."""
    from tqdm.auto import tqdm

    from mlpot.active.metadynamics import exploration_bias

    rng = np.random.default_rng([cfg.seed, iteration])
    grid = [
        (kind, variant, temperature, pressure)
        for variant in variants(structures, cfg, rng)
        for kind in cfg.kinds
        for temperature in cfg.temperatures
        for pressure in (cfg.pressures or [None])
    ]
    found: list[Atoms] = []
    make_bias = None
    if "metadynamics" in cfg.kinds:
        make_bias = exploration_bias(cfg.metadynamics, calc, reference or structures)
    for kind, variant, temperature, pressure in tqdm(grid, desc="explore", disable=not progress):
        seed = int(rng.integers(1 << 31))
        bias = make_bias(temperature) if kind == "metadynamics" else None
        found += md_snapshots(
            variant, calc, cfg, temperature, pressure, seed, stop, shortest, bias=bias
        )
    for n, atoms in enumerate(structures):
        samples = mode_snapshots(atoms, calc, cfg, rng, workdir / f"hessian_{n}", f"s{n}")
        for sample in samples:
            if too_close(sample, shortest):
                sample.info["too_close"] = True
        found += samples
    return found


def mode_snapshots(
    atoms: Atoms,
    calc,
    cfg: ExploreConfig,
    rng: np.random.Generator,
    workdir: Path,
    label: str,
    measure: MeasureFn = uncertainty_of,
) -> list[Atoms]:
    """cfg.normal_modes.samples displaced copies of atoms per temperature, with measure's
    values (the uncertainty) in their info."""
    modes = cfg.normal_modes
    samples = normal_mode_samples(
        atoms,
        calc,
        list(cfg.temperatures),
        modes.samples,
        delta=modes.delta,
        max_displacement=modes.max_displacement,
        rng=rng,
        workdir=workdir,
    )
    out = []
    for k, (temperature, displaced) in enumerate(samples):
        displaced.calc = calc
        values = measure(displaced)
        displaced.calc = None
        displaced.info.update(values, origin=f"modes {label} T {temperature:g} K #{k}")
        out.append(displaced)
    return out
