"""Training a model on SNAP descriptors (family "snap") with mlpot's Trainer.

The descriptors and their per-pair derivatives come from LAMMPS (SnapNetworkPotential's
structure inputs) instead of the symmetry-function kernels; everything else is the usual
training path.
"""

from __future__ import annotations

from pathlib import Path

import torch

from mlpot.config import TrainingConfig
from mlpot.data.frame import Frame
from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.models.nnp import NetworkSpec
from mlpot.models.serialization import load_model
from mlpot.models.snap import SnapNetworkPotential
from mlpot.training.dataset import prepare_frames
from mlpot.training.fit_preprocessing import fit_preprocessing
from mlpot.training.trainer import Trainer


def train_snap_model(
    settings: SnapSettings,
    network: NetworkSpec,
    train_frames: list[Frame],
    validation_frames: list[Frame],
    training: TrainingConfig,
    output: Path,
    scaling: str = "meanstd",
    dtype: torch.dtype = torch.float64,
    progress: bool = False,
) -> tuple[SnapNetworkPotential, list[dict]]:
    """Build, preprocess (scaling, reference energies) and train a model on SNAP descriptors
    (training.epochs a number); the best model is also written to output/model.pt. Returns
    (model, log rows)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(training.seed)
        model = SnapNetworkPotential(settings, {e: network for e in settings.elements}, dtype)
    groups = sorted({f.group for f in train_frames + validation_frames})
    train_set = prepare_frames(train_frames, model, dtype, groups, progress)
    val_set = prepare_frames(validation_frames, model, dtype, groups, progress)
    fit_preprocessing(model, train_frames, train_set, scaling, pca=False)
    metadata = {"descriptor": "snap", "n_train": len(train_set), "n_validation": len(val_set)}
    trainer = Trainer(model, train_set, val_set, training, Path(output), metadata, progress)
    rows = trainer.run()
    return load_model(trainer.files.model), rows
