"""Retraining: one `mlpot train` run per ensemble member on the enlarged training set.

Iteration 0 trains a new ensemble with mlpot.uncertainty's train_ensemble. Later iterations
continue member k from its model of the previous iteration, with the same per-member settings
(seed, atomic-energy targets) and the same ensemble.json, so load_ensemble_calculator reads
every iteration's ensemble. Either way a member killed mid-run resumes from its checkpoint
and finished members (those ensemble.json lists) are not retrained.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlpot.active.config import ActiveConfig
from mlpot.config import DataConfig, FileSpec, GroupConfig, TrainConfig
from mlpot.errors import MlpotError
from mlpot.models.potential import FITTED, VARIANCE, Potential
from mlpot.training.trainer import RunFiles


def ensemble_config(cfg: ActiveConfig, data: Path, output: Path) -> TrainConfig:
    """The training configuration of the ensemble: cfg's sections, data from `data` (extxyz,
    the oracle's labels, of the target fidelity) and cfg's fidelity_data."""
    group = GroupConfig(name="active", files=[FileSpec(path=data)], fidelity=cfg.target_fidelity)
    return TrainConfig(
        output=output,
        elements=cfg.elements,
        data=DataConfig(
            train=[group, *cfg.fidelity_data], validation=cfg.validation,
            bootstrap=cfg.ensemble.bootstrap, target_fidelity=cfg.target_fidelity,
        ),
        descriptors=cfg.descriptors,
        model=cfg.model,
        training=cfg.training,
    )


def train_iteration_ensemble(
    cfg: ActiveConfig, data: Path, output: Path, previous: list[Path] | None, progress: bool
) -> list[Path]:
    """Train (or finish) the ensemble in output on data, from `previous` member models if given;
    returns the member model files."""
    from mlpot.uncertainty.train_ensemble import train_ensemble

    config = ensemble_config(cfg, data, output)
    members, kind = cfg.ensemble.members, cfg.ensemble.kind
    if previous is None:
        architecture = shared_architecture(config, data)
        check_committee(architecture, members)
        if members == 1:
            return continue_ensemble(config, 1, kind, output, None, progress, architecture)
        return train_ensemble(
            config, members, kind, output, resume=True, architecture=architecture,
            progress=progress,
        )
    return continue_ensemble(config, members, kind, output, previous, progress)


def check_committee(model: Potential, members: int) -> None:
    """One model needs its own variance; a closed-form family fits identical members."""
    if members == 1:
        model.require(VARIANCE, "active learning with one model (ensemble.members: 1)",
                      "train a committee instead: ensemble.members >= 2")
    elif FITTED in model.capabilities:
        raise MlpotError(
            f"{model.description} is fitted in closed form: {members} members would be "
            "identical; use ensemble.members: 1 and select.measure: energy_std_per_atom"
        )


def shared_architecture(config: TrainConfig, data: Path) -> Potential:
    """The members' architecture, built from all of data.

    A generated descriptor set adapts to the structures it is built from; each member splits
    off its own validation frames, and the members of an ensemble must share one set.
    """
    from mlpot.data import read_frames
    from mlpot.training.run import build_model

    return build_model(config, read_frames(data))


def continue_ensemble(
    config: TrainConfig,
    members: int,
    kind: str,
    output: Path,
    previous: list[Path] | None,
    progress: bool,
    architecture: Potential | None = None,
) -> list[Path]:
    """train_ensemble, but member k starts from previous[k] instead of new weights (or, with
    no previous ones, from `architecture`; any number of members, one included)."""
    from mlpot.models.serialization import load_model
    from mlpot.uncertainty.manifest import MANIFEST_NAME, read_manifest, write_manifest
    from mlpot.uncertainty.train_ensemble import member_config, member_model, train_member

    path = output / MANIFEST_NAME
    manifest = (
        read_manifest(path)
        if path.is_file()
        else {
            "kind": kind,
            "members": members,
            "models": [],
            "seeds": [config.training.seed + k for k in range(members)],
            "atomic_energy_model": member_model(0) if kind == "atomic_energy" else None,
        }
    )
    loss = config.training.loss
    weight = loss.atomic_energy or loss.energy or 1.0  # train_ensemble's default coefficient
    for k in range(members):
        if member_model(k) in manifest["models"]:
            continue
        member = member_config(config, k, kind, output, weight)
        resume = RunFiles(Path(member.output)).latest.is_file()
        if not resume and Path(member.output).exists():
            shutil.rmtree(member.output)  # killed before its first checkpoint: start it again
        parent = output / member_model(0) if kind == "atomic_energy" and k > 0 else None
        train_member(
            member,
            resume=resume,
            progress=progress,
            architecture=architecture if previous is None else None,
            initial=load_model(previous[k]) if previous is not None else None,
            atomic_energy_model=load_model(parent) if parent is not None else None,
        )
        manifest["models"].append(member_model(k))
        write_manifest(path, manifest)
    return [output / name for name in manifest["models"]]
