"""`mlpot sample`: run every sampler, pool their structures, pick a label budget by diversity.

The output directory holds
    sample.json      the configuration's fingerprint (a run is continued only with the same)
    runs/KEY.xyz     each finished run's structures, KEY.json its record (written last)
    samples.xyz      all sampled structures, in run order
    selected.xyz     the structures picked for labelling (info["pool_index"]: their place in
                     samples.xyz)
    report.json      counts per sampler and the selection's diversity
Every file is written atomically, so a run killed at any point continues where it stopped;
finished runs are read back, not repeated, and a run's seed does not depend on the others,
so the result is the same as without the interruption.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.active.state import read_structures, write_structures
from mlpot.analysis.output import write_json
from mlpot.errors import MlpotError
from mlpot.sampling.config import CalculatorConfig, SampleConfig
from mlpot.sampling.diversity import diversity_report, select_diverse
from mlpot.sampling.samplers import (
    RunResult,
    RunSpec,
    SamplerContext,
    plan_runs,
    run_sampler,
    sampler_names,
)

FORMAT = "mlpot-sample"


def run_sampling(cfg: SampleConfig, *, progress: bool = False) -> dict:
    """Run (or continue) the sampling described by cfg; returns the report (also written to
    report.json)."""
    from tqdm.auto import tqdm

    from mlpot.active.inputs import read_structures_of

    out = Path(cfg.output).absolute()
    structures = read_structures_of(cfg.structures)
    if not structures:
        raise MlpotError("structures: the files hold no structure; give starting structures")
    calc = driving_calculator(cfg.calculator)
    context = SamplerContext(calc, descriptor_model(cfg, calc), structures, out / "cache")
    context.model("diversity selection")  # refused now, not after sampling
    _claim(out, cfg)
    names = sampler_names(cfg)
    runs = plan_runs(cfg, len(structures))
    records, reused = [], 0
    for spec in tqdm(runs, desc="sample", disable=not progress):
        record = _finished(out, spec)
        if record is None:
            record = _run_and_save(out, spec, cfg, names, context)
        else:
            reused += 1
        records.append(record)
    pool = [atoms for spec in runs for atoms in read_structures(_run_file(out, spec))]
    if not pool:
        raise MlpotError("the samplers produced no structure: check steps and interval")
    write_structures(out / "samples.xyz", pool)
    features = _summaries(context, pool)
    chosen = select_diverse(features, cfg.select.method, cfg.select.budget)
    selected = []
    for index in chosen:
        atoms = pool[index].copy()
        atoms.info["pool_index"] = int(index)
        selected.append(atoms)
    write_structures(out / "selected.xyz", selected)
    report = _report(cfg, names, runs, records, pool, chosen, features, reused)
    write_json(out / "report.json", report)
    return report


def driving_calculator(section: CalculatorConfig):
    """The ASE calculator the samplers run with."""
    if section.model is not None:
        from mlpot.calculators import load_calculator_or_ensemble

        return load_calculator_or_ensemble([str(path) for path in section.model])
    from mlpot.active.label import make_oracle

    return make_oracle(section.calculator, section.factory, section.kwargs)


def descriptor_model(cfg: SampleConfig, calc):
    """cfg.descriptor_model, else the driving calculator's (first) mlpot model, else None."""
    from mlpot.models.potential import Potential

    if cfg.descriptor_model is not None:
        from mlpot.models.serialization import load_model

        return load_model(cfg.descriptor_model)
    model = getattr(calc, "model", None)
    return model if isinstance(model, Potential) else None


def _claim(out: Path, cfg: SampleConfig) -> None:
    """Mark out as this configuration's run; refuse a directory where another configuration
    finished runs."""
    settings = cfg.model_dump(mode="json", exclude={"output", "select"})
    fingerprint = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    marker = out / "sample.json"
    if marker.is_file() and any((out / "runs").glob("*.json")):
        try:
            found = json.loads(marker.read_text()).get("fingerprint")
        except ValueError:
            found = None
        if found != fingerprint:
            raise MlpotError(
                f"{out} holds a sampling run of another configuration (only select may "
                "change between runs): choose another output directory or delete it"
            )
        return
    write_json(marker, {"format": FORMAT, "version": 1, "fingerprint": fingerprint})


def _run_file(out: Path, spec: RunSpec) -> Path:
    return out / "runs" / f"{spec.key}.xyz"


def _finished(out: Path, spec: RunSpec) -> dict | None:
    """The record of a run finished before (None if it is not)."""
    path = _run_file(out, spec).with_suffix(".json")
    if not (path.is_file() and _run_file(out, spec).is_file()):
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def _run_and_save(
    out: Path, spec: RunSpec, cfg: SampleConfig, names: list[str], context: SamplerContext
) -> dict:
    sampler = cfg.samplers[spec.sampler]
    result: RunResult = run_sampler(sampler, names[spec.sampler], spec, context)
    write_structures(_run_file(out, spec), result.images)
    record = {
        "key": spec.key,
        "sampler": names[spec.sampler],
        "structures": len(result.images),
        "seed": spec.seed,
        "stopped": result.stopped,
    }
    write_json(_run_file(out, spec).with_suffix(".json"), record)
    return record


def _summaries(context: SamplerContext, pool: list[Atoms]) -> np.ndarray:
    from mlpot.active.select import feature_summaries

    return feature_summaries(context.model("diversity selection"), pool)


def _report(cfg, names, runs, records, pool, chosen, features, reused) -> dict:
    per_sampler = {name: {"runs": 0, "structures": 0, "stopped_runs": 0, "selected": 0}
                   for name in names}
    for record in records:
        row = per_sampler[record["sampler"]]
        row["runs"] += 1
        row["structures"] += record["structures"]
        row["stopped_runs"] += record["stopped"] is not None
    for index in chosen:
        per_sampler[pool[index].info["sampler"]]["selected"] += 1
    return {
        "format": FORMAT,
        "runs": len(runs),
        "runs_reused": reused,
        "structures": len(pool),
        "samplers": per_sampler,
        "selection": {
            "method": cfg.select.method,
            "budget": cfg.select.budget,
            **diversity_report(features, chosen),
        },
        "stopped": [r for r in records if r["stopped"] is not None],
    }


def summary_lines(report: dict) -> list[str]:
    """The report as a few lines of text."""
    lines = [f"{report['structures']} structures from {report['runs']} runs "
             f"({report['runs_reused']} finished before)"]
    for name, row in report["samplers"].items():
        stopped = f", {row['stopped_runs']} stopped early" if row["stopped_runs"] else ""
        lines.append(f"  {name}: {row['runs']} runs, {row['structures']} structures, "
                     f"{row['selected']} selected{stopped}")
    sel = report["selection"]
    lines.append(
        f"selected {sel['selected']} (budget {sel['budget']}, {sel['method']}): fill distance "
        f"{sel['fill_distance']:.4g} against {sel['fill_distance_evenly_spaced']:.4g} for "
        "evenly spaced picks (descriptor summaries; lower covers the pool better)"
    )
    return lines
