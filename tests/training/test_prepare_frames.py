"""Preparing training frames: a frame listed twice (a bootstrap resample) is computed once."""

from __future__ import annotations

import torch
from emt_alni import SF_LINES, emt_frames

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential
from mlpot.training.dataset import prepare_frames


def test_repeated_frames_share_one_prepared_frame():
    sfset = SymmetryFunctionSet.from_n2p2_lines(SF_LINES, ["Al", "Ni"], CutoffFunction("cos"))
    model = NeuralNetworkPotential(sfset, {e: NetworkSpec((4,)) for e in ("Al", "Ni")})
    a, b = emt_frames(2)
    prepared = prepare_frames([a, b, a], model, torch.float64, ["bulk"], progress=False)
    assert prepared[0] is prepared[2]
    assert prepared[0] is not prepared[1]
    assert prepared[1].n_atoms == len(b)
