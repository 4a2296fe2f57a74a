"""Train the members of an ensemble from one training configuration.

kind "seeds": member k trains with seed training.seed + k, which changes its initial weights,
its batch order and (for a validation fraction) its random train/validation split.
kind "atomic_energy" (Jung and Han 2020): member 0 trains as with "seeds"; members k >= 1 also
fit member 0's atomic energies on every frame (loss coefficient training.loss.atomic_energy),
so that all members split total energies among atoms the same way.

Members k >= 1 take member 0's architecture (elements, descriptors, networks) with new
weights: a generated descriptor set depends on the training split, which differs between
members, and a committee shares one set.

Output: output/member_K/ (a `mlpot train` run directory each) and output/ensemble.json.
Resume skips finished members and continues an interrupted one from its checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from mlpot.config import TrainConfig
from mlpot.errors import MlpotError
from mlpot.models.potential import Potential
from mlpot.uncertainty.manifest import MANIFEST_NAME, read_manifest, write_manifest

KINDS = ("seeds", "atomic_energy")
EnsembleKind = Literal["seeds", "atomic_energy"]


def train_ensemble(
    config: TrainConfig,
    members: int,
    kind: EnsembleKind,
    output: Path,
    resume: bool = False,
    *,
    atomic_energy_weight: float | None = None,
    architecture: Potential | None = None,
    progress: bool = True,
    report: Callable[[str], None] = lambda message: None,
) -> list[Path]:
    """Train (or finish training) `members` models; returns their model files in member order.

    atomic_energy_weight: loss coefficient of the atomic-energy targets (kind "atomic_energy");
    None takes training.loss.atomic_energy, or if that is 0 the energy coefficient (or 1).
    architecture: the architecture of member 0 too (default: built from the config).
    report(message) is told which member starts, resumes or is skipped.
    """
    from mlpot.models.serialization import load_model

    if kind not in KINDS:
        raise MlpotError(f"unknown ensemble kind {kind!r}: use 'seeds' or 'atomic_energy'")
    if members < 2:
        raise MlpotError(f"an ensemble needs at least 2 members, got {members}")
    output = Path(output)
    seeds = [config.training.seed + k for k in range(members)]
    weight = _atomic_energy_weight(config, atomic_energy_weight)
    manifest = _start(output / MANIFEST_NAME, kind, members, seeds, resume)
    parent = output / member_model(0) if kind == "atomic_energy" else None
    for k in range(members):
        name = member_model(k)
        if name in manifest["models"]:
            report(f"member {k}: finished, skipped")
            continue
        shared = load_model(output / member_model(0)) if k > 0 else architecture
        member = member_config(config, k, kind, output, weight)
        interrupted = (Path(member.output) / "checkpoints" / "latest.pt").is_file()
        report(f"member {k}: {'resuming' if interrupted else 'training'} in {member.output}")
        train_member(
            member,
            architecture=shared,
            resume=interrupted,
            atomic_energy_model=load_model(parent) if parent and k > 0 else None,
            progress=progress,
        )
        manifest["models"].append(name)
        write_manifest(output / MANIFEST_NAME, manifest)
    return [output / name for name in manifest["models"]]


def member_model(k: int) -> str:
    """Member k's model file, relative to the ensemble directory."""
    return f"member_{k}/model.pt"


def member_config(
    config: TrainConfig, k: int, kind: EnsembleKind, output: Path, atomic_energy_weight: float
) -> TrainConfig:
    """The configuration of member k: its own output directory and seed, and for replicas of
    an atomic-energy ensemble the atomic-energy loss term."""
    training = config.training.model_copy(update={"seed": config.training.seed + k})
    if kind == "atomic_energy" and k > 0:
        loss = training.loss.model_copy(update={"atomic_energy": atomic_energy_weight})
        training = training.model_copy(update={"loss": loss})
    return config.model_copy(update={"output": output / f"member_{k}", "training": training})


def train_member(member: TrainConfig, *, resume: bool, progress: bool, **models) -> Path:
    """Prepare and train one member (models: prepare's architecture, initial,
    atomic_energy_model); returns its model file."""
    from mlpot.training.run import prepare, train

    run = prepare(member, resume=resume, progress=progress, **models)
    return train(run, resume=resume, progress=progress).model_path


def _atomic_energy_weight(config: TrainConfig, weight: float | None) -> float:
    if weight is None:
        loss = config.training.loss
        return loss.atomic_energy or loss.energy or 1.0
    if not weight > 0:
        raise MlpotError(f"the atomic-energy loss coefficient must be positive, got {weight}")
    return float(weight)


def _start(path: Path, kind: str, members: int, seeds: list[int], resume: bool) -> dict:
    """The manifest to continue (resume) or a new one; refuses to overwrite a finished run."""
    if path.is_file() and not resume:
        raise MlpotError(
            f"{path.parent} already holds an ensemble; use --resume to continue it, or choose "
            "another output directory"
        )
    if not path.is_file():
        manifest = {"kind": kind, "members": members, "seeds": seeds, "models": []}
    else:
        manifest = read_manifest(path)
        if manifest.get("kind") != kind:
            raise MlpotError(
                f"{path}: this ensemble is of kind {manifest.get('kind')!r}, not {kind!r}; "
                "resume it with the same --kind"
            )
        if len(manifest["models"]) > members:
            raise MlpotError(
                f"{path}: {len(manifest['models'])} members are already finished; ask for at "
                f"least that many (--members {len(manifest['models'])})"
            )
        missing = [name for name in manifest["models"] if not (path.parent / name).is_file()]
        if missing:
            raise MlpotError(f"{path}: lists {missing[0]}, which does not exist; retrain it")
        manifest.update(members=members, seeds=seeds)
    manifest["atomic_energy_model"] = member_model(0) if kind == "atomic_energy" else None
    write_manifest(path, manifest)
    return manifest
