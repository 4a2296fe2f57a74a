"""The samplers of `mlpot sample`: plain MD, metadynamics, guided MD and normal modes, each
turned into a list of runs (one per starting structure, strain, temperature and pressure),
each run into unlabelled structures whose atoms.info says where they came from:

    sampler      the sampler's name (its kind, numbered, unless named in the configuration)
    kind         md, metadynamics, guided or normal_modes
    source       the starting structure ("file@index")
    run          the run's key (also its file name below the output's runs/)
    seed         the run's random seed
    temperature  K;  pressure GPa (NPT only);  strain (linear, isotropic)
    step         the MD step (for normal modes: the sample's number)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.active.explore import strained
from mlpot.errors import MlpotError
from mlpot.models.potential import Potential
from mlpot.sampling.config import (
    GuidedSampler,
    MDSampler,
    MetadynamicsSampler,
    NormalModesSampler,
    SampleConfig,
)


@dataclass(frozen=True)
class RunSpec:
    """One sampler run: sampler k on starting structure n at one point of its grid."""

    key: str
    sampler: int
    structure: int
    strain: float
    temperature: float | None  # None: every temperature of a normal-mode sampler
    pressure: float | None
    seed: int


def sampler_names(cfg: SampleConfig) -> list[str]:
    """Each sampler's name: its own, else kind and number (md0, metadynamics1, ...)."""
    names = [s.name or f"{s.kind}{k}" for k, s in enumerate(cfg.samplers)]
    if len(set(names)) != len(names):
        raise MlpotError(f"sampler names {names} repeat: give each sampler its own name")
    return names


def plan_runs(cfg: SampleConfig, n_structures: int) -> list[RunSpec]:
    """Every run of every sampler, in a fixed order; the seeds derive from cfg.seed, the
    sampler and the run's place in its grid, so that a run does not depend on the others."""
    runs = []
    for k, sampler in enumerate(cfg.samplers):
        for n in range(n_structures):
            for j, (strain, temperature, pressure) in enumerate(_grid(sampler)):
                seed = int(np.random.SeedSequence([cfg.seed, k, n, j]).generate_state(1)[0])
                key = f"k{k:02d}-s{n:03d}-r{j:03d}"
                runs.append(RunSpec(key, k, n, strain, temperature, pressure, seed))
    return runs


def _grid(sampler) -> list[tuple[float, float | None, float | None]]:
    if isinstance(sampler, NormalModesSampler):
        return [(0.0, None, None)]
    pressures = sampler.pressures or [None]
    return [(e, t, p) for e in sampler.strains for t in sampler.temperatures for p in pressures]


@dataclass
class SamplerContext:
    """What runs share: the driving calculator, the descriptor model (or None), the starting
    structures and a directory for caches (normal modes' Hessians)."""

    calc: object
    descriptor_model: Potential | None
    structures: list[Atoms]
    workdir: Path
    _pca: tuple[np.ndarray, np.ndarray] | None = None

    def projection(self, components: int) -> tuple[np.ndarray, np.ndarray]:
        """(W (F, K), centre (F,)): principal axes of the starting structures' descriptors."""
        from mlpot.sampling.descriptor_cv import pca_projection

        if self._pca is None or self._pca[0].shape[1] != components:
            self._pca = pca_projection(self.model("descriptor CVs"), self.structures, components)
        return self._pca

    def model(self, purpose: str) -> Potential:
        if self.descriptor_model is None:
            raise MlpotError(
                f"{purpose}: an mlpot model's descriptors are needed; set descriptor_model in "
                "the configuration (the driving calculator is not an mlpot model)"
            )
        return self.descriptor_model


@dataclass
class RunResult:
    """The structures of one run and, where it ended early, why."""

    images: list[Atoms]
    stopped: str | None = None


def run_sampler(sampler, name: str, spec: RunSpec, context: SamplerContext) -> RunResult:
    """The structures one run produces (unlabelled, with provenance in atoms.info)."""
    start = strained(context.structures[spec.structure], spec.strain)
    start.calc = None
    info = {
        "sampler": name,
        "kind": sampler.kind,
        "source": context.structures[spec.structure].info.get("origin", f"#{spec.structure}"),
        "run": spec.key,
        "seed": spec.seed,
        "strain": spec.strain,
    }
    if isinstance(sampler, NormalModesSampler):
        return RunResult(_mode_samples(sampler, start, info, context, spec))
    return _md_run(sampler, start, info, context, spec)


def _md_run(sampler, start: Atoms, info: dict, context: SamplerContext, spec: RunSpec):
    from mlpot.sampling.calculator import BiasedCalculator
    from mlpot.simulation.md import run_md

    calc, step_observers = context.calc, []
    bias = _bias(sampler, context, spec.temperature)
    if bias is not None:
        calc = BiasedCalculator(context.calc, bias)
        step_observers.append(lambda: calc.observe(start))
    info = {**info, "temperature": spec.temperature}
    if spec.pressure is not None:
        info["pressure"] = spec.pressure
    found: list[Atoms] = []
    steps_done = [0]
    step_observers.append(lambda: steps_done.__setitem__(0, steps_done[0] + 1))
    try:
        run_md(
            start, calc, ensemble="nvt" if spec.pressure is None else "npt",
            temperature_K=spec.temperature, pressure_GPa=spec.pressure or 0.0,
            timestep_fs=sampler.timestep, steps=sampler.steps, friction_per_fs=sampler.friction,
            interval=sampler.interval, seed=spec.seed, progress=False,
            observers=[_recorder(found, info)], step_observers=step_observers,
        )
    except MlpotError as exc:
        if steps_done[0] == 0:  # bad settings or input, not a run that went astray
            raise MlpotError(f"sampler {info['sampler']}, run {spec.key} "
                             f"(structure {info['source']}): {exc}") from exc
        return RunResult(found, f"stopped after step {steps_done[0]}: {exc}")
    return RunResult(found)


def _recorder(found: list[Atoms], info: dict) -> Callable[[Atoms, int], None]:
    def record(atoms: Atoms, step: int) -> None:
        if step == 0:
            return
        snapshot = Atoms(atoms.numbers, atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        if not np.isfinite(snapshot.positions).all():
            raise MlpotError(f"positions are no longer finite at step {step}")
        snapshot.info.update(info, step=step)
        found.append(snapshot)

    return record


def _bias(sampler, context: SamplerContext, temperature: float):
    """The bias a metadynamics or guided sampler adds (None for plain MD)."""
    from mlpot.sampling import (
        AtomicMetadynamics,
        Coordination,
        DescriptorCV,
        DistanceCombination,
        Metadynamics,
        MovingRestraint,
    )

    if isinstance(sampler, MDSampler):
        return None
    if isinstance(sampler, GuidedSampler):
        cv = DistanceCombination(sampler.pairs, sampler.coefficients, name="xi")
        return MovingRestraint(cv, sampler.kappa, sampler.target, sampler.rate)
    assert isinstance(sampler, MetadynamicsSampler)
    if sampler.cv in ("descriptor", "atomic_descriptor"):
        projection, centre = context.projection(sampler.components)
        cv = DescriptorCV(context.model("descriptor CVs"), projection, centre)
    elif sampler.cv == "distance":
        cv = DistanceCombination(sampler.pairs, sampler.coefficients)
    else:
        cv = Coordination(sampler.r_on, sampler.r_off)
    hills = AtomicMetadynamics if sampler.cv == "atomic_descriptor" else Metadynamics
    tempered = sampler.bias_factor is not None
    return hills(
        cv, sampler.height, sampler.widths, sampler.stride, sampler.bias_factor,
        temperature if tempered else None,
    )


def _mode_samples(
    sampler: NormalModesSampler, start: Atoms, info: dict, context: SamplerContext, spec: RunSpec
) -> list[Atoms]:
    from mlpot.active.normal_modes import normal_mode_samples

    samples = normal_mode_samples(
        start, context.calc, list(sampler.temperatures), sampler.samples,
        delta=sampler.delta, max_displacement=sampler.max_displacement,
        rng=np.random.default_rng(spec.seed), workdir=context.workdir / f"hessian-{spec.key}",
    )
    out = []
    for k, (temperature, displaced) in enumerate(samples):
        displaced.calc = None
        displaced.info = {**info, "temperature": temperature, "step": k}
        out.append(displaced)
    return out
