"""`mlpot train`: from a validated TrainConfig to a trained model on disk."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from ase.data import chemical_symbols

from mlpot.config import TrainConfig, per_element
from mlpot.config.schema import FinalLossWeights, HuberWidths, auto_epochs
from mlpot.data import Frame, load_group, load_structure_list, read_frames
from mlpot.data.errors import DataError
from mlpot.data.resources import check_resources
from mlpot.data.sanity import where
from mlpot.data.screening import screen_training_data
from mlpot.descriptors.acsf import ACSF
from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.generator import auto_cutoff, default_symmetry_functions
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.models.interaction import InteractionSpec
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.models.serialization import load_model
from mlpot.neighbours.pairs import neighbour_pairs
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.gdf import assign_gdf_weights
from mlpot.training.kalman import KalmanSettings
from mlpot.training.loss import LossCoefficients
from mlpot.training.refit_preprocessing import function_kept
from mlpot.training.run_summary import best_epoch_summary, record_summary
from mlpot.training.trainer import RunFiles, Schedule, Trainer, TrainSettings


@dataclass
class TrainOutcome:
    model_path: Path
    rows: list[dict]
    test_frames: list[Frame]


def read_groups(groups, require_forces: bool) -> list[Frame]:
    frames: list[Frame] = []
    for group in groups:
        entries = [spec.entry for spec in group.files]
        frames += load_group(
            group.name, group.weight, entries, Path.cwd(), format=group.format,
            require_forces=require_forces,
        )
    return frames


def read_test_groups(groups, require_forces: bool) -> list[Frame]:
    """Test frames keep the group labels their files carry (e.g. mlearn's), for per-group errors;
    unlabelled frames take their config group's name."""
    frames: list[Frame] = []
    for group in groups:
        for spec in group.files:
            read = read_frames(spec.entry, format=group.format, require_forces=require_forces)
            for frame in read:
                frame.group = group.name if frame.group == "default" else frame.group
            frames += read
    return frames


def read_training_data(config: TrainConfig) -> tuple[list[Frame], list[Frame]]:
    """(train, validation) frames: validation is a random fraction or separate groups."""
    data = config.data
    if isinstance(data.train, Path):
        frames = load_structure_list(data.train, require_forces=data.require_forces)
    else:
        frames = read_groups(data.train, data.require_forces)
    rng = np.random.default_rng(config.training.seed)
    if not isinstance(data.validation, float):
        train, val = frames, read_groups(data.validation, data.require_forces)
    else:
        order = rng.permutation(len(frames))
        n_val = int(round(data.validation * len(frames)))
        if n_val >= len(frames):
            raise MlpotError(f"validation fraction {data.validation} leaves no training frames")
        held = set(order[:n_val].tolist())
        train = [f for n, f in enumerate(frames) if n not in held]
        val = [f for n, f in enumerate(frames) if n in held]
    if data.bootstrap:
        train = [train[n] for n in np.sort(rng.integers(len(train), size=len(train)))]
    balance_kinds(train + val, config.training.group_balance)
    return train, val


def balance_kinds(frames: list[Frame], power: float) -> None:
    """Weights of the frames times n_kind^-power, scaled so that their mean factor is 1
    (kind: Frame.info["kind"], else the group). A frame listed twice (a bootstrap draw)
    counts twice and is scaled once."""
    if power == 0 or not frames:
        return
    names, counts = np.unique([_kind(f) for f in frames], return_counts=True)
    factors = counts**-power * len(frames) / np.sum(counts ** (1.0 - power))
    factor_of = dict(zip(names.tolist(), factors.tolist(), strict=True))
    for frame in {id(f): f for f in frames}.values():
        frame.weight *= factor_of[_kind(frame)]


def _kind(frame: Frame) -> str:
    return frame.info.get("kind", frame.group)


def data_elements(frames: list[Frame]) -> list[str]:
    numbers = sorted({int(z) for f in frames for z in np.unique(f.numbers)})
    return [chemical_symbols[z] for z in numbers]


def shortest_distance(frames: list[Frame], cutoff: float) -> float:
    """Shortest interatomic distance in the frames (Å), at most `cutoff`."""
    shortest = cutoff
    for f in frames:
        pairs = neighbour_pairs(f.positions, f.cell, f.pbc, cutoff)
        if len(pairs.distances):
            shortest = min(shortest, float(pairs.distances.min()))
    return shortest


def build_symmetry_functions(config: TrainConfig, elements, frames) -> SymmetryFunctionSet:
    d = config.descriptors
    cutoff_function = CutoffFunction(d.cutoff_function, d.cutoff_alpha)
    if d.symmetry_functions is not None:
        return SymmetryFunctionSet.from_n2p2_lines(
            list(d.symmetry_functions), elements, cutoff_function
        )
    cutoff = auto_cutoff(frames, d.auto_neighbours) if d.cutoff == "auto" else d.cutoff
    r_min = 0.9 * shortest_distance(frames, cutoff)
    return default_symmetry_functions(
        elements, cutoff, cutoff_function, r_min=r_min, n_radial=d.n_radial,
        radial_mode=d.radial_mode, angular=d.angular, angular_eta=d.angular_eta,
        zeta=tuple(d.zeta), lambdas=tuple(float(x) for x in d.lambdas),
        angular_shells=d.angular_shells, mixed_shells=d.mixed_shells,
    )


def build_model(config: TrainConfig, elements, frames) -> NeuralNetworkPotential:
    hidden = per_element(config.model.hidden, elements, "model.hidden")
    act = per_element(config.model.activation, elements, "model.activation")
    specs = {e: NetworkSpec(tuple(hidden[e]), act[e]) for e in elements}
    sfset = build_symmetry_functions(config, elements, frames)
    torch.manual_seed(config.training.seed)
    i = config.model.interaction
    interaction = InteractionSpec(i.features, i.radial, i.cutoff) if i is not None else None
    return NeuralNetworkPotential(sfset, specs, getattr(torch, config.training.dtype), interaction)


def settings_from_config(
    config: TrainConfig, progress: bool, n_train: int | None = None
) -> TrainSettings:
    """Training settings; n_train (training structures) resolves `epochs: auto`."""
    t = config.training
    epochs = t.epochs
    if epochs == "auto":
        if n_train is None:
            raise ValueError("epochs 'auto' needs the number of training structures")
        epochs = auto_epochs(n_train, t.batch_size)
    sched = t.schedule
    schedule = Schedule(name=sched.name, **{
        k: getattr(sched, k) for k in ("factor", "patience", "min_lr", "gamma") if hasattr(sched, k)
    })
    stop = t.early_stopping
    loss = LossCoefficients(
        **t.loss.model_dump(exclude={"final", "huber"}), **_huber_widths(t.loss.huber)
    )
    return TrainSettings(
        epochs=epochs, batch_size=t.batch_size, optimizer=t.optimizer.name,
        lr=getattr(t.optimizer, "lr", TrainSettings.lr),
        weight_decay=getattr(t.optimizer, "weight_decay", 0.0), schedule=schedule,
        kalman=_kalman_settings(t.optimizer),
        loss=loss,
        final_loss=_final_loss(loss, t.loss.final) if t.loss.final else None,
        final_loss_epoch=round(t.loss.final.start * epochs) + 1 if t.loss.final else 0,
        early_stopping_patience=stop.patience if stop else None,
        early_stopping_min_delta=stop.min_delta if stop else 0.0,
        seed=t.seed, checkpoint_every=t.checkpoint_every, device=t.device, progress=progress,
        ema_decay=t.ema_decay,
    )


def _huber_widths(huber: HuberWidths | None) -> dict[str, float]:
    """LossCoefficients' huber_* fields (0: squared errors)."""
    widths = huber.model_dump() if huber else {}
    return {f"huber_{term}": widths.get(term) or 0.0 for term in ("energy", "forces", "stress")}


def _final_loss(loss: LossCoefficients, final: FinalLossWeights) -> LossCoefficients:
    """loss with the coefficients that final gives replacing theirs."""
    return replace(loss, **final.model_dump(exclude={"start"}, exclude_none=True))


def _kalman_settings(optimizer) -> KalmanSettings:
    """The filter's settings from a KalmanConfig section (defaults for other optimisers)."""
    if optimizer.name != "kalman":
        return KalmanSettings()
    return KalmanSettings(**optimizer.model_dump(exclude={"name"}))


def train_from_config(
    config: TrainConfig,
    *,
    resume: bool = False,
    initial_model: Path | None = None,
    atomic_energy_model: Path | None = None,
    progress: bool = True,
) -> TrainOutcome:
    """Read the data, build (or load) the model, train, and write the run directory.

    atomic_energy_model: label every frame with that model's atomic energies as per-atom
    targets (fitted with coefficient training.loss.atomic_energy).
    """
    train_frames, val_frames = read_training_data(config)
    data = screen_training_data(
        train_frames, val_frames, config.data.outliers, _fraction(config.data.validation)
    )
    train_frames, val_frames = data.train, data.validation
    if atomic_energy_model is not None:  # per-atom energy targets: the atomic-energy ensemble
        from mlpot.uncertainty.atomic_energy_targets import label_atomic_energies

        label_atomic_energies(train_frames + val_frames, load_model(atomic_energy_model))
    files = RunFiles(Path(config.output))
    if resume:
        model = _checkpoint_model(files)
    elif initial_model is not None:
        model = load_model(initial_model)
    else:
        elements = config.elements or data_elements(train_frames)
        # descriptors from all training-side frames: the same for every validation split
        model = build_model(config, elements, data.typical)
    _check_elements(model, train_frames + val_frames)
    acsf = ACSF(model.sfset)
    groups = sorted({f.group for f in train_frames + val_frames})
    dtype = getattr(torch, config.training.dtype)
    check_resources(train_frames + val_frames, model.sfset, dtype.itemsize)
    train_set = prepare_frames(train_frames, acsf, dtype, groups, progress)
    val_set = prepare_frames(val_frames, acsf, dtype, groups, progress)
    if not resume:  # a continued model is refitted to the new data with its function kept
        refs = config.model.reference_energies
        with nullcontext() if initial_model is None else function_kept(model):
            fit_preprocessing(
                model, train_frames, train_set, config.model.scaling, config.model.pca,
                None if refs == "fit" else dict(refs), config.model.pca_epsilon,
            )
    if config.training.gdf is not None:
        assign_gdf_weights(train_set, config.training.gdf.sigma, config.training.gdf.cap)
    settings = settings_from_config(config, progress, len(train_set))
    metadata = _metadata(config, train_frames, val_frames, groups)
    trainer = Trainer(model, train_set, val_set, settings, files.root, metadata)
    if resume:
        trainer.resume()
    elif files.latest.exists():
        raise MlpotError(
            f"{files.root} already holds a training run; use --resume to continue it, "
            "or choose another output directory"
        )
    _write_run_info(files.root, metadata)
    rows = trainer.run()
    record_summary(files.root, best_epoch_summary(files.model, rows, settings.epochs))
    test_frames = read_test_groups(config.data.test, config.data.require_forces)
    return TrainOutcome(files.model, rows, test_frames)


def _fraction(validation) -> float | None:
    return validation if isinstance(validation, float) else None


def _checkpoint_model(files: RunFiles) -> NeuralNetworkPotential:
    from mlpot.training.checkpoint import load_checkpoint

    return load_checkpoint(files.latest)["model"]


def _check_elements(model: NeuralNetworkPotential, frames: list[Frame]) -> None:
    for frame in frames:
        extra = set(data_elements([frame])) - set(model.elements)
        if extra:
            raise DataError(
                f"{where(frame.source)}: element(s) {', '.join(sorted(extra))} not in the model's "
                f"elements ({', '.join(model.elements)}); add them to 'elements' in the config"
            )


def _metadata(config, train_frames, val_frames, groups) -> dict:
    return {
        "n_train": len(train_frames),
        "n_validation": len(val_frames),
        "groups": groups,
        "seed": config.training.seed,
    }


def _write_run_info(root: Path, metadata: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "run.json").write_text(json.dumps(metadata, indent=2))

