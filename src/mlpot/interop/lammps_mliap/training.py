"""Training a model on SNAP descriptors with mlpot's Trainer.

The descriptors and their per-pair derivatives come from LAMMPS (SnapDescriptor) instead of
the symmetry-function kernels; everything after PreparedFrame is the usual training path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from mlpot.data.frame import Frame
from mlpot.data.sanity import where
from mlpot.descriptors.lammps.bispectrum import SnapDescriptor
from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.errors import MlpotError
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.models.serialization import load_model
from mlpot.training.dataset import PreparedFrame
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.trainer import Trainer, TrainSettings


def prepare_snap_frame(
    frame: Frame, descriptor: SnapDescriptor, dtype: torch.dtype, group: int
) -> PreparedFrame:
    """One frame's bispectrum (N, F) and dB_i/dr_ij (P, F, 3), with its labels."""
    try:
        descriptors, pairs = descriptor.compute_with_derivatives(
            frame.numbers, frame.positions, frame.cell, frame.pbc
        )
    except MlpotError as err:
        raise MlpotError(f"{where(frame.source)}: {err}") from None
    periodic = bool(np.all(frame.pbc))

    def tensor(x):
        return None if x is None else torch.as_tensor(np.asarray(x), dtype=dtype)

    return PreparedFrame(
        species=torch.from_numpy(descriptor.species(frame.numbers)),
        descriptors=tensor(descriptors),
        pair_first=torch.from_numpy(pairs.first),
        pair_second=torch.from_numpy(pairs.second),
        pair_vectors=tensor(pairs.vectors),
        pair_derivatives=tensor(pairs.derivatives),
        energy=float(frame.energy),
        forces=tensor(frame.forces),
        stress=tensor(frame.stress) if periodic else None,
        volume=abs(float(np.linalg.det(frame.cell))) if periodic else 0.0,
        weight=float(frame.weight),
        group=group,
    )


def prepare_snap_frames(
    frames: list[Frame],
    descriptor: SnapDescriptor,
    dtype: torch.dtype,
    groups: list[str],
    progress: bool = False,
) -> list[PreparedFrame]:
    """Prepared frames; `groups` maps group names to indices."""
    index = {name: n for n, name in enumerate(groups)}
    return [
        prepare_snap_frame(frame, descriptor, dtype, index[frame.group])
        for frame in tqdm(frames, desc="bispectrum", disable=not progress, leave=False)
    ]


def train_snap_model(
    settings: SnapSettings,
    network: NetworkSpec,
    train_frames: list[Frame],
    validation_frames: list[Frame],
    training: TrainSettings,
    output: Path,
    scaling: str = "meanstd",
    dtype: torch.dtype = torch.float64,
) -> tuple[NeuralNetworkPotential, list[dict]]:
    """Build, preprocess (scaling, reference energies) and train a model on SNAP descriptors;
    the best model is also written to output/model.pt. Returns (model, log rows)."""
    descriptor = SnapDescriptor(settings)
    groups = sorted({f.group for f in train_frames + validation_frames})
    train_set = prepare_snap_frames(train_frames, descriptor, dtype, groups, training.progress)
    val_set = prepare_snap_frames(validation_frames, descriptor, dtype, groups, training.progress)
    descriptor.close()
    torch.manual_seed(training.seed)
    model = NeuralNetworkPotential(settings, {e: network for e in settings.elements}, dtype)
    fit_preprocessing(model, train_frames, train_set, scaling, pca=False)
    metadata = {"descriptor": "snap", "n_train": len(train_set), "n_validation": len(val_set)}
    trainer = Trainer(model, train_set, val_set, training, Path(output), metadata)
    rows = trainer.run()
    return load_model(trainer.files.model), rows
