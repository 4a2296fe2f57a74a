"""Training as a library: `prepare(config) -> TrainingRun`, then `train(run)`.

prepare reads and checks all the data (test groups included, so a wrong path fails before
training, not after), builds or loads the model, computes its inputs and fits what the family
learns before optimisation. Below it everything is typed: the config stops at this boundary.
Ensembles and active learning call it with models (an architecture to share, a model to
continue) instead of writing configs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from mlpot.config import TrainConfig, TrainingConfig
from mlpot.config.schema import AUTO_FINE_TUNE_STEPS, AUTO_STEPS, auto_epochs
from mlpot.data import Frame
from mlpot.data.resources import check_resources, feature_count
from mlpot.data.screening import screen_training_data
from mlpot.data.stress_offset import remove_stress_offsets
from mlpot.errors import MlpotError
from mlpot.models.families import BuildContext, family
from mlpot.models.potential import DESCRIPTOR_FEATURES, Potential
from mlpot.training.data import (
    check_elements,
    check_fidelities,
    data_elements,
    data_fidelities,
    read_test_groups,
    read_training_data,
)
from mlpot.training.dataset import PreparedFrame, prepare_frames
from mlpot.training.gdf import assign_gdf_weights
from mlpot.training.run_summary import best_epoch_summary, record_summary
from mlpot.training.trainer import RunFiles, Trainer


@dataclass
class TrainingRun:
    """A training run ready to start (settings.epochs resolved to a number)."""

    model: Potential
    train_set: list[PreparedFrame]
    validation_set: list[PreparedFrame]
    test_frames: list[Frame]
    settings: TrainingConfig
    files: RunFiles
    metadata: dict


@dataclass
class TrainOutcome:
    model_path: Path
    rows: list[dict]
    test_frames: list[Frame]


def prepare(
    config: TrainConfig,
    *,
    architecture: Potential | None = None,
    initial: Potential | None = None,
    resume: bool = False,
    atomic_energy_model: Potential | None = None,
    fine_tune: bool = False,
    initial_fidelity: str | None = None,
    progress: bool = True,
) -> TrainingRun:
    """Everything `train` needs, from a validated config.

    architecture: start from new weights (training.seed) in this model's architecture (its
        descriptors included) instead of building one from the config;
    initial: continue training this model, refitted to the new data with its function kept;
    resume: continue the run in config.output from its latest checkpoint;
    atomic_energy_model: label every frame with its atomic energies as per-atom targets;
    fine_tune: `epochs: auto` is the fine-tuning count (a resumed run keeps what it started
        with, recorded in run.json);
    initial_fidelity: the fidelity a single-fidelity `initial` model learnt, when the data
        has several: the model is widened to them (Potential.widened_fidelity).
    """
    files = RunFiles(Path(config.output))
    fine_tune = fine_tune or (resume and _started_fine_tuning(files))
    if not resume and files.latest.exists():
        raise MlpotError(
            f"{files.root} already holds a training run; use --resume to continue it, "
            "or choose another output directory"
        )
    train_frames, val_frames = read_training_data(config)
    data = screen_training_data(train_frames, val_frames, config.data.outliers,
                                _fraction(config.data.validation))
    train_frames, val_frames, stress_offsets = data.train, data.validation, {}
    if config.data.stress_offset == "remove":
        train_frames, val_frames, stress_offsets = remove_stress_offsets(
            train_frames, val_frames, config.data.target_fidelity)
    test_frames = read_test_groups(
        config.data.test, config.data.require_forces, config.data.target_fidelity
    )
    if atomic_energy_model is not None:  # per-atom energy targets: the atomic-energy ensemble
        from mlpot.uncertainty.atomic_energy_targets import label_atomic_energies

        label_atomic_energies(train_frames + val_frames, atomic_energy_model)
    model = _start_model(config, data.typical, architecture, initial, resume, files)
    if initial_fidelity is not None and not resume:
        if initial is None:
            raise MlpotError(
                f"the initial model's fidelity ('{initial_fidelity}') was given without an "
                "initial model; give the model too (mlpot train --init-model)"
            )
        model = _widened(model, config, train_frames, initial_fidelity)
    check_elements(model, train_frames + val_frames + test_frames)
    check_fidelities(model, data_fidelities(config))
    groups = sorted({f.group for f in train_frames + val_frames})
    dtype = getattr(torch, config.training.dtype)
    check_resources(train_frames + val_frames, model.cutoff, feature_count(model), dtype.itemsize)
    train_set = prepare_frames(train_frames, model, dtype, groups, progress)
    val_set = prepare_frames(val_frames, model, dtype, groups, progress)
    if not resume:
        fit = _family_of(config, model).fit
        fit(model, config.model, train_frames, train_set, initial is not None, config.training.seed)
    if config.training.gdf is not None:
        model.require(DESCRIPTOR_FEATURES, "GDF force weighting (training.gdf)")
        assign_gdf_weights(train_set, config.training.gdf.sigma, config.training.gdf.cap)
    metadata = {
        "n_train": len(train_frames),
        "n_validation": len(val_frames),
        "groups": groups,
        "seed": config.training.seed,
        **({"fine_tune": True} if fine_tune else {}),
        **({"stress_offsets": stress_offsets} if stress_offsets else {}),
    }
    settings = resolved_settings(config.training, len(train_set), fine_tune)
    return TrainingRun(model, train_set, val_set, test_frames, settings, files, metadata)


def train(run: TrainingRun, *, resume: bool = False, progress: bool = True) -> TrainOutcome:
    """Train `run` (continuing its checkpoint with resume); writes run.json, log.csv,
    checkpoints and model.pt in run.files.root."""
    trainer = Trainer(
        run.model, run.train_set, run.validation_set, run.settings, run.files.root,
        run.metadata, progress,
    )
    if resume:
        trainer.resume()
    run.files.root.mkdir(parents=True, exist_ok=True)
    run.files.record.write_text(json.dumps(run.metadata, indent=2))
    rows = trainer.run()
    summary = best_epoch_summary(run.files.model, rows, trainer.settings.epochs,
                                 run.settings.select)
    record_summary(run.files.record, summary)
    return TrainOutcome(run.files.model, rows, run.test_frames)


def train_from_config(
    config: TrainConfig,
    *,
    resume: bool = False,
    initial_model: Path | None = None,
    atomic_energy_model: Path | None = None,
    initial_fidelity: str | None = None,
    progress: bool = True,
) -> TrainOutcome:
    """`mlpot train`: prepare and train, with the models of `prepare` given as files."""
    from mlpot.models.serialization import load_model

    run = prepare(
        config,
        initial=load_model(initial_model) if initial_model is not None else None,
        resume=resume,
        atomic_energy_model=load_model(atomic_energy_model) if atomic_energy_model else None,
        fine_tune=initial_model is not None,
        initial_fidelity=initial_fidelity,
        progress=progress,
    )
    return train(run, resume=resume, progress=progress)


def _fraction(validation) -> float | None:
    return validation if isinstance(validation, float) else None


def resolved_settings(settings: TrainingConfig, n_train: int,
                      fine_tune: bool = False) -> TrainingConfig:
    """The training section with `epochs: auto` resolved for n_train structures (the
    fine-tuning count with fine_tune) and `device: auto` to CUDA where torch sees a GPU,
    else the CPU."""
    update = {}
    if settings.epochs == "auto":
        steps = AUTO_FINE_TUNE_STEPS if fine_tune else AUTO_STEPS
        update["epochs"] = auto_epochs(n_train, settings.batch_size, steps)
    if settings.device == "auto":
        update["device"] = "cuda" if torch.cuda.is_available() else "cpu"
    return settings.model_copy(update=update) if update else settings


def build_model(config: TrainConfig, frames: list[Frame], seed: int | None = None) -> Potential:
    """A new model of the config's family for `frames` (all training-side frames, so that
    every validation split gets the same descriptors), weights from `seed` (default
    training.seed)."""
    context = BuildContext(
        elements=tuple(config.elements or data_elements(frames)),
        frames=frames,
        descriptors=config.descriptors,
        dtype=getattr(torch, config.training.dtype),
        seed=config.training.seed if seed is None else seed,
        fidelities=data_fidelities(config),
    )
    return _family_of(config, None).build(config.model, context)


def _started_fine_tuning(files: RunFiles) -> bool:
    """Whether the run in files.root was started by fine-tuning (its run.json says so)."""
    path = files.record
    return path.is_file() and bool(json.loads(path.read_text()).get("fine_tune", False))


def _start_model(config, frames, architecture, initial, resume, files) -> Potential:
    if resume:
        from mlpot.training.checkpoint import load_checkpoint

        return load_checkpoint(files.latest)["model"]
    if initial is not None:
        return initial
    if architecture is not None:
        return architecture.fresh(config.training.seed)
    return build_model(config, frames)


def _widened(model: Potential, config: TrainConfig, frames: list[Frame],
             source: str) -> Potential:
    """The single-fidelity `model`, which learnt fidelity `source`, widened to the data's
    fidelities, their reference energies fitted on `frames`."""
    from mlpot.training.reference_energies import fitted_references

    fidelities = data_fidelities(config)
    if fidelities is None:
        raise MlpotError(
            f"the initial model's fidelity ('{source}') was given, but the training data has "
            "one fidelity; leave it out, or give the groups their fidelities"
        )
    if model.fidelities is not None:
        raise MlpotError(
            f"{model.description} learnt fidelities {', '.join(model.fidelities.names)} "
            "already; the initial model's fidelity is only for a single-fidelity model"
        )
    if source not in fidelities.names:
        raise MlpotError(
            f"the initial model's fidelity '{source}' is not one of the data's "
            f"({', '.join(fidelities.names)}); name the groups' fidelity it learnt"
        )
    given = getattr(config.model, "reference_energies", "fit")
    _, shifts = fitted_references(frames, list(model.elements), fidelities,
                                  None if given == "fit" else dict(given))
    return model.widened_fidelity(fidelities, fidelities.index(source), torch.as_tensor(shifts))


def _family_of(config: TrainConfig, model: Potential | None):
    """The registered family of the config's model section (and of `model`, checked)."""
    from mlpot.config.families import family_literal

    section = family(family_literal(type(config.model)))
    if model is not None and model.family != section.name:
        raise MlpotError(
            f"the config's model section is of family '{section.name}', but the model to "
            f"train is {model.description}; use a config of its family"
        )
    return section
