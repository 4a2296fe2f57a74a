"""The active-learning loop: explore -> select -> label -> retrain, until nothing new is found.

Iteration 0 labels the starting set and trains the first ensemble. Iteration k >= 1 explores
with ensemble k-1, selects, labels and trains ensemble k from ensemble k-1 on every label so
far, then scores it on the held-out frames. Each phase ends by saving state.json, so a
killed run resumes at the phase it was in: labels on disk are not recomputed and finished
ensemble members are not retrained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from mlpot.active.config import ActiveConfig
from mlpot.active.explore import explore, shortest_distance
from mlpot.active.holdout import score_ensemble
from mlpot.active.inputs import (
    check_structures,
    initial_set,
    model_elements,
    read_holdout,
    read_structures_of,
)
from mlpot.active.label import LabelStore, label_all
from mlpot.active.report import write_report
from mlpot.active.retrain import train_iteration_ensemble
from mlpot.active.select import feature_summaries, select
from mlpot.active.state import (
    IterationState,
    LoopState,
    RunDirectory,
    load_state,
    read_structures,
    save_state,
    write_structures,
)
from mlpot.analysis.output import write_json
from mlpot.data import Frame
from mlpot.errors import MlpotError

ITERATION_LIMIT = "reached the iteration limit"
ORACLE_FAILED = "the oracle failed on every structure"


def oracle_failed(state: LoopState) -> bool:
    """Did the loop stop because the oracle labelled nothing in an iteration (a failure)?"""
    return (state.stop_reason or "").startswith(ORACLE_FAILED)


@dataclass
class _Run:
    """What every phase needs: the configuration, the run directory and the state."""

    cfg: ActiveConfig
    dirs: RunDirectory
    state: LoopState
    starts: list[Atoms]
    holdout: list[Frame]
    progress: bool

    def save(self) -> None:
        save_state(self.dirs.state, self.state)


def run_active(
    cfg: ActiveConfig, *, resume: bool = False, progress: bool = False, plot: bool = True
) -> LoopState:
    """Run (or with resume, continue) the loop described by cfg; returns the final state."""
    dirs = RunDirectory(Path(cfg.output).absolute())
    state = _initial_state(dirs, resume, cfg.iterations)
    starts = read_structures_of(cfg.start.structures)
    elements = model_elements(cfg, starts)
    check_structures(starts, elements)
    cfg = cfg.model_copy(update={"elements": elements})
    run = _Run(cfg, dirs, state, starts, read_holdout(cfg.holdout), progress)
    while not state.finished:
        item = _next_iteration(state, cfg.iterations)
        if item is None:
            state.stop_reason = ITERATION_LIMIT
            break
        _advance(run, item)
        write_report(dirs.root, state, cfg.select.measure, plot=False)
    run.save()
    write_report(dirs.root, state, cfg.select.measure, plot=plot)
    return state


def _initial_state(dirs: RunDirectory, resume: bool, iterations: int) -> LoopState:
    if not resume:
        if dirs.state.exists():
            raise MlpotError(
                f"{dirs.root} already holds an active-learning run; use --resume to continue "
                "it, or choose another output directory"
            )
        return LoopState()
    state = load_state(dirs.state)
    if state.stop_reason == ITERATION_LIMIT and len(state.iterations) <= iterations:
        state.stop_reason = None  # the limit was raised: go on
    if oracle_failed(state):  # the oracle may be fixed: label that iteration's structures again
        LabelStore(dirs.iteration(state.iterations[-1].index)).forget_failures()
        state.iterations[-1].phase = "label"
        state.stop_reason = None
    return state


def _next_iteration(state: LoopState, iterations: int) -> IterationState | None:
    """The unfinished iteration, else a new one; None beyond the iteration limit."""
    if state.iterations and state.iterations[-1].phase != "done":
        return state.iterations[-1]
    if len(state.iterations) > iterations:
        return None
    state.iterations.append(IterationState(len(state.iterations)))
    return state.iterations[-1]


def _advance(run: _Run, item: IterationState) -> None:
    """Run the phases of item from the one it is in, saving the state after each."""
    phases = {"explore": _explore, "label": _label, "train": _train, "evaluate": _evaluate}
    while item.phase in phases and not run.state.finished:
        item.phase = phases[item.phase](run, item)
        run.save()


def _explore(run: _Run, item: IterationState) -> str:
    """Write selection.json (counts) and selected.xyz: the starting set (iteration 0) or the
    exploration's selection. Both on disk already (killed just after): they are kept."""
    directory = run.dirs.iteration(item.index)
    record, selected = directory / "selection.json", directory / "selected.xyz"
    if not (record.is_file() and selected.is_file()):
        counts = _initial(run) if item.index == 0 else _explore_and_select(run, item.index)
        write_json(record, counts)
    item.counts.update(json.loads(record.read_text()))
    if item.counts["selected"] == 0:
        run.state.stop_reason = _nothing_new(item.counts["above_upper"], run.cfg.select.upper)
        return "done"
    return "label"


def _initial(run: _Run) -> dict:
    chosen = initial_set(run.starts, run.cfg.start)
    write_structures(run.dirs.iteration(0) / "selected.xyz", chosen)
    return {"explored": 0, "selected": len(chosen)}


def _explore_and_select(run: _Run, index: int) -> dict:
    """Explore with ensemble index - 1, write explored.xyz and selected.xyz; the counts."""
    directory = run.dirs.iteration(index)
    sel = run.cfg.select
    calc = _ensemble(run, index - 1)
    closest = min(shortest_distance(a) for a in LabelStore(run.dirs.iteration(0)).labelled())
    labelled = [a for k in range(index) for a in LabelStore(run.dirs.iteration(k)).labelled()]
    explored = explore(
        run.starts,
        calc,
        run.cfg.explore,
        iteration=index,
        stop=lambda values: values[sel.measure] >= sel.upper,
        workdir=directory / "explore",
        shortest=run.cfg.explore.closest_approach * closest,
        progress=run.progress,
        reference=labelled,
    )
    write_structures(directory / "explored.xyz", explored)
    collapsed = np.array([bool(atoms.info.get("too_close", False)) for atoms in explored])
    # a collapsed structure is unphysical whatever the ensemble says: above the upper threshold
    values = np.array([atoms.info[sel.measure] for atoms in explored])
    values[collapsed] = np.inf
    selection = select(
        values,
        lambda indices: feature_summaries(calc.models[0], [explored[i] for i in indices]),
        lower=sel.lower,
        upper=sel.upper,
        cap=sel.max_per_iteration,
        min_distance=sel.min_distance,
    )
    write_structures(directory / "selected.xyz", [explored[i] for i in selection.chosen])
    flagged = selection.window + selection.above
    fraction = flagged / selection.explored if selection.explored else 0.0
    return {**selection.counts(), "too_close": int(collapsed.sum()), "flagged_fraction": fraction}


def _nothing_new(above: int, upper: float) -> str:
    if above:
        return (
            f"no explored structure between the thresholds ({above} at or above upper = "
            f"{upper}: lower the upper threshold or shorten the exploration)"
        )
    return "converged: no explored structure at or above the lower threshold"


def _label(run: _Run, item: IterationState) -> str:
    directory = run.dirs.iteration(item.index)
    store = LabelStore(directory)
    images = read_structures(directory / "selected.xyz")
    label_all(images, run.cfg.oracle, run.cfg.executor, store, directory / "oracle", run.progress)
    failed = store.failed()
    item.counts.update(labelled=len(store.labelled()), failed=len(failed))
    if item.counts["labelled"] == 0:
        first = " ".join(failed[0]["error"].split())[:300] if failed else "not recorded"
        run.state.stop_reason = (
            f"{ORACLE_FAILED} of iteration {item.index} (the first: {first}; all in "
            f"{store.failures}); fix the oracle and run again with --resume to label them"
        )
        return "done"
    return "train"


def _train(run: _Run, item: IterationState) -> str:
    directory = run.dirs.iteration(item.index)
    images = [
        a for k in range(item.index + 1) for a in LabelStore(run.dirs.iteration(k)).labelled()
    ]
    data = write_structures(directory / "training_set.xyz", images)
    item.counts["training_frames"] = len(images)
    previous = None if item.index == 0 else run.dirs.member_models(item.index - 1)
    train_iteration_ensemble(run.cfg, data, run.dirs.ensemble(item.index), previous, run.progress)
    return "evaluate"


def _evaluate(run: _Run, item: IterationState) -> str:
    if run.holdout:
        calc = _ensemble(run, item.index)
        sel = run.cfg.select
        item.errors = score_ensemble(calc, run.holdout, sel.measure, sel.lower)
    return "done"


def _ensemble(run: _Run, index: int):
    """The EnsembleCalculator of iteration index's members (the calculator of its one model,
    with that model's own variance, for ensemble.members 1)."""
    from mlpot.calculators import load_calculator
    from mlpot.uncertainty import load_ensemble_calculator

    models = run.dirs.member_models(index)
    return load_calculator(models[0]) if len(models) == 1 else load_ensemble_calculator(models)
