"""Distillation: explore with the teacher, select diverse structures, label them with the
teacher, train a fast mlpot model on them and report its errors.

Stages, each ending by saving state.json, so a killed run resumes (--resume) at the stage it
was in without redoing finished work:
    explore   MD runs and normal modes with the teacher (one file per run, explore/)
    select    farthest-point sampling to the label budget (selected.xyz)
    label     the teacher labels the selection in child processes (labels/, failures/; every
              label written as it arrives), then the held-out split (training_set.xyz,
              holdout.xyz)
    train     `mlpot train` on training_set.xyz (model/; resumed from its checkpoint)
    evaluate  the report (eval/, report.json)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ase import Atoms

from mlpot.active.explore import shortest_distance
from mlpot.active.inputs import check_structures, model_elements, read_structures_of
from mlpot.active.label import LabelStore, label_all, make_oracle
from mlpot.active.state import read_structures, write_structures
from mlpot.analysis.output import write_json
from mlpot.distill.choose import diverse, holdout_split, summaries, summary_model
from mlpot.distill.config import DistillConfig
from mlpot.distill.explore import ExploreFiles, explore_with_teacher
from mlpot.distill.report import compare, write_report
from mlpot.errors import MlpotError

STATE_FORMAT = "mlpot-distill-state"
STATE_VERSION = 1
STAGES = ("explore", "select", "label", "train", "evaluate", "done")


@dataclass
class DistillState:
    """The stage reached and the counts of the finished stages."""

    stage: str = "explore"
    counts: dict = field(default_factory=dict)


@dataclass
class DistillRun:
    """What every stage needs: the configuration (elements resolved), the output directory,
    the starting structures and the state."""

    cfg: DistillConfig
    root: Path
    structures: list[Atoms]
    state: DistillState
    progress: bool
    plot: bool

    def teacher(self):
        """The teacher as an ASE calculator in this process."""
        return make_oracle(**self.cfg.teacher.model_dump())

    def save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_json(self.root / "state.json",
                   {"format": STATE_FORMAT, "version": STATE_VERSION, "stage": self.state.stage,
                    "counts": self.state.counts})


def run_distill(
    cfg: DistillConfig, *, resume: bool = False, progress: bool = False, plot: bool = True
) -> dict:
    """Run (or with resume, continue) the distillation cfg describes; returns report.json's
    content. Its counts hold the wall seconds of each stage before the evaluation (a stage
    that was killed and resumed counts from the resumption)."""
    root = Path(cfg.output).absolute()
    state = _initial_state(root, resume)
    structures = read_structures_of(cfg.structures)
    if not structures:
        raise MlpotError("no structures to explore from: check 'structures' in the config")
    elements = model_elements(cfg, structures)
    check_structures(structures, elements)
    cfg = cfg.model_copy(update={"elements": elements})
    run = DistillRun(cfg, root, structures, state, progress, plot)
    run.teacher()  # a misconfigured teacher fails here, before anything is written
    stages = {"explore": _explore, "select": _select, "label": _label, "train": _train,
              "evaluate": _evaluate}
    run.save()  # from here on, --resume continues this run
    while state.stage in stages:
        stage, start = state.stage, time.perf_counter()
        state.stage = stages[stage](run)
        seconds = state.counts.setdefault("seconds", {})
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start
        run.save()
    return json.loads((root / "report.json").read_text())


def _initial_state(root: Path, resume: bool) -> DistillState:
    path = root / "state.json"
    if not resume:
        if path.exists():
            raise MlpotError(f"{root} already holds a distillation; use --resume to continue "
                             "it, or choose another output directory")
        return DistillState()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise MlpotError(f"{path}: no distillation to resume; run without --resume") from None
    except (OSError, ValueError) as exc:
        raise MlpotError(f"{path}: cannot read the state ({exc}); start afresh") from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise MlpotError(f"{path}: not an mlpot distillation state file")
    if data.get("version", 0) > STATE_VERSION or data.get("stage") not in STAGES:
        raise MlpotError(f"{path}: unknown state version or stage; upgrade mlpot")
    return DistillState(data["stage"], data.get("counts", {}))


def _summary_model(run: DistillRun):
    return summary_model(run.structures, list(run.cfg.elements or []), run.cfg.descriptors)


def _explore(run: DistillRun) -> str:
    """MD and normal modes with the teacher from the most diverse explore.starts structures."""
    starts = run.structures
    count = run.cfg.explore.starts
    if count is not None and count < len(starts):
        picked = diverse(summaries(_summary_model(run), starts), count)
        starts = [starts[i] for i in sorted(picked)]
    closest = min(shortest_distance(atoms) for atoms in run.structures)
    explored = explore_with_teacher(
        starts, run.teacher(), run.cfg.explore, ExploreFiles(run.root / "explore"),
        shortest=run.cfg.explore.closest_approach * closest, progress=run.progress,
    )
    too_close = sum(bool(atoms.info.get("too_close", False)) for atoms in explored)
    run.state.counts.update(structures=len(run.structures), starts=len(starts),
                            explored=len(explored), too_close=too_close)
    return "select"


def _select(run: DistillRun) -> str:
    """selected.xyz: up to select.budget candidates, farthest-point on descriptor summaries;
    candidates are the explored structures (those with two atoms too close left out) and,
    with explore.include_structures, the given structures."""
    path = run.root / "selected.xyz"
    explored = [a for a in ExploreFiles(run.root / "explore").explored()
                if not a.info.get("too_close", False)]
    candidates = (run.structures if run.cfg.explore.include_structures else []) + explored
    if not path.is_file():
        sel = run.cfg.select
        points = summaries(_summary_model(run), candidates)
        chosen = diverse(points, sel.budget, sel.min_distance)
        write_structures(path, [candidates[i] for i in chosen])
    run.state.counts.update(candidates=len(candidates), selected=len(read_structures(path)))
    return "label"


def _label(run: DistillRun) -> str:
    """Teacher labels of selected.xyz, then training_set.xyz and holdout.xyz."""
    store = LabelStore(run.root)
    images = read_structures(run.root / "selected.xyz")
    label_all(images, run.cfg.teacher, run.cfg.executor, store, run.root / "oracle",
              run.progress)
    labelled = store.labelled()
    if len(labelled) < 2:
        raise MlpotError(
            f"the teacher labelled {len(labelled)} of {len(images)} selected structures "
            f"(failures in {store.failures}); at least 2 are needed: raise select.budget or "
            "check the teacher"
        )
    training, holdout = holdout_split(len(labelled), run.cfg.select.holdout,
                                      run.cfg.select.seed)
    write_structures(run.root / "training_set.xyz", [labelled[i] for i in training])
    write_structures(run.root / "holdout.xyz", [labelled[i] for i in holdout])
    run.state.counts.update(labelled=len(labelled), failed=len(store.failed()),
                            training=len(training), holdout=len(holdout))
    return "train"


def _train(run: DistillRun) -> str:
    """The distilled model, model/model.pt (a killed training resumes from its checkpoint)."""
    from mlpot.config import DataConfig, FileSpec, GroupConfig, TrainConfig
    from mlpot.training.run import train_from_config
    from mlpot.training.trainer import RunFiles

    cfg = run.cfg
    files = RunFiles(run.root / "model")
    group = GroupConfig(name="teacher", files=[FileSpec(path=run.root / "training_set.xyz")])
    config = TrainConfig(
        output=files.root, elements=cfg.elements,
        data=DataConfig(train=[group], validation=cfg.validation),
        descriptors=cfg.descriptors, model=cfg.model, training=cfg.training,
    )
    train_from_config(config, resume=files.latest.is_file(), progress=run.progress)
    return "evaluate"


def _evaluate(run: DistillRun) -> str:
    """eval/holdout, eval/dft_teacher, eval/dft_distilled and report.json."""
    from mlpot.calculators import load_calculator
    from mlpot.data import read_frames

    root, model = run.root / "eval", run.root / "model" / "model.pt"
    options = {"plot": run.plot, "progress": run.progress}
    holdout = read_frames(run.root / "holdout.xyz", group="holdout")
    errors = {"holdout": compare("holdout", lambda: load_calculator(model), holdout, root,
                                 **options)}
    dft = run.cfg.dft
    if dft is not None:
        test = [f for spec in dft.test for f in read_frames(spec.entry, require_forces=False)]
        offsets = [f for spec in dft.offsets_from
                   for f in read_frames(spec.entry, require_forces=False)]
        errors["dft_teacher"] = compare("dft_teacher", run.teacher, test, root,
                                        offsets_from=offsets, **options)
        errors["dft_distilled"] = compare("dft_distilled", lambda: load_calculator(model),
                                          test, root, offsets_from=offsets, **options)
    teacher = run.cfg.teacher.calculator or run.cfg.teacher.factory
    write_report(run.root / "report.json", run.state.counts, errors, str(teacher))
    return "done"
