"""An exponential moving average of a model's weights (MACE's and NequIP's EMA).

After every optimiser step, w_avg <- d w_avg + (1 - d) w with d = min(decay, (1 + n) /
(10 + n)) for the n-th step (TensorFlow's warm-up: short runs average over their last steps,
not their start); the first step copies the weights. Buffers follow the model. Tensors are
matched by name, so any family's module works (a deep copy of some modules, e3nn's compiled
tensor products among them, lists its buffers in another order).
"""

from __future__ import annotations

import torch

from mlpot.models.potential import Potential


class WeightAverage:
    def __init__(self, model: Potential, decay: float):
        self.decay = decay
        self.n_averaged = 0
        self.module = type(model).from_spec(model.spec()).to(model.device)
        self.module.load_state_dict(model.state_dict())

    @torch.no_grad()
    def update(self, model: Potential) -> None:
        """One step: the average moves towards `model`'s weights."""
        current = dict(model.named_parameters())
        d = min(self.decay, (1 + self.n_averaged) / (10 + self.n_averaged))
        for name, averaged in self.module.named_parameters():
            if self.n_averaged == 0:
                averaged.copy_(current[name])
            else:
                averaged.lerp_(current[name], 1 - d)
        buffers = dict(model.named_buffers())
        for name, buffer in self.module.named_buffers():
            buffer.copy_(buffers[name])
        self.n_averaged += 1
