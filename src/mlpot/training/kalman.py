"""Training with a global extended Kalman filter over all network weights, as n2p2 does it.

An epoch is a shuffled sequence of updates (n2p2's epoch schedule):
  energy updates: `energy_batch` structures each, one error per structure,
      xi = (E_ref - E) / N (eV/atom); energy_fraction x (training structures) energies per epoch;
  force updates: `force_batch` random force components of one structure (chosen with
      probability proportional to its number of components), xi = force_weight (F_ref - F)
      (eV/Å); force_fraction x (all force components) components per epoch;
  stress updates: the 6 components of one structure, xi = stress_weight (s_ref - s) (GPa);
      stress_fraction x (structures with stress) structures per epoch.
Errors and Jacobian rows are multiplied by sqrt(structure weight). The k errors of an
update go into one filter step with a (k x k) inverse (multi-stream update). The random
choices of an epoch depend only on (seed, epoch), so a resumed run repeats them exactly.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
from ase.units import GPa

from mlpot.config.schema import KalmanConfig
from mlpot.errors import MlpotError
from mlpot.models.inputs import ModelInputs
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.training.dataset import PreparedFrame
from mlpot.training.kalman_filter import ExtendedKalmanFilter, FilterParameters
from mlpot.training.kalman_jacobian import (
    Observations,
    WeightLayout,
    energy_observations,
    force_observations,
    stress_observations,
)


@dataclass(frozen=True)
class Update:
    """One filter step: "energy" over several frames, "force" components of one, "stress"."""

    kind: str
    frames: tuple[int, ...]
    components: torch.Tensor | None = None  # force components 3 * atom + direction


class KalmanUpdater:
    """Updates the weights of `model` with the extended Kalman filter, an epoch at a time.

    Stands in for a torch optimiser in the Trainer: run_epoch, state_dict, load_state_dict.
    """

    def __init__(
        self,
        model: NeuralNetworkPotential,
        train_set: list[PreparedFrame],
        settings: KalmanConfig,
        seed: int,
    ):
        self.model, self.frames, self.settings, self.seed = model, train_set, settings, seed
        self.layout = WeightLayout(model)
        used = [n for n, f in enumerate(train_set) if f.weight > 0]
        self.energy_frames = used
        self.force_frames = [n for n in used if train_set[n].forces is not None]
        self.stress_frames = [n for n in used if train_set[n].stress is not None]
        s = settings
        n_components = 3 * sum(train_set[n].n_atoms for n in self.force_frames)
        self.counts = {
            "energy": _count(s.energy_fraction * len(self.energy_frames) / s.energy_batch),
            "force": _count(s.force_fraction * n_components / s.force_batch),
            "stress": _count(s.stress_fraction * len(self.stress_frames)),
        }
        if sum(self.counts.values()) == 0:
            raise MlpotError(
                "the Kalman filter has nothing to update on: no training structure with a "
                "positive weight (and forces/stress for force/stress updates); check the "
                "group weights and the energy/force/stress fractions"
            )
        per_epoch = sum(self.counts.values())
        parameters = FilterParameters(  # n2p2 divides the rates by the updates per epoch
            variant=s.variant,
            epsilon=s.epsilon,
            q0=s.q0,
            q_rate=s.q_tau / per_epoch,
            q_min=s.q_min,
            eta0=s.eta0,
            eta_rate=s.eta_tau / per_epoch,
            eta_max=s.eta_max,
            lambda0=s.lambda0,
            nu=s.nu,
        )
        device = model.reference_energies.device
        self.filter = ExtendedKalmanFilter(self.layout.n_weights, parameters, device)

    def run_epoch(self, epoch: int) -> dict[str, float]:
        """All updates of one epoch; returns the filter status after it."""
        generator = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        for update in self.schedule(generator):
            errors, jacobian = self._observe(update)
            self.layout.add_(self.filter.step(errors, jacobian))
        self.filter.symmetrize()
        status = {"kalman_updates": self.filter.updates, "kalman_q": self.filter.q}
        if self.settings.variant == "fading_memory":
            status["kalman_lambda"] = self.filter.lam
        else:
            status["kalman_eta"] = self.filter.eta
        return status

    def schedule(self, generator: torch.Generator) -> list[Update]:
        """The epoch's updates in random order."""
        s = self.settings
        energy = _cycled(self.energy_frames, self.counts["energy"] * s.energy_batch, generator)
        updates = [
            Update("energy", tuple(energy[i : i + s.energy_batch]))
            for i in range(0, len(energy), s.energy_batch)
        ]
        updates += self._force_updates(generator)
        stress = _cycled(self.stress_frames, self.counts["stress"], generator)
        updates += [Update("stress", (n,)) for n in stress]
        order = torch.randperm(len(updates), generator=generator)
        return [updates[int(i)] for i in order]

    def _force_updates(self, generator: torch.Generator) -> list[Update]:
        n = self.counts["force"]
        if n == 0:
            return []
        sizes = torch.tensor([3.0 * self.frames[i].n_atoms for i in self.force_frames])
        chosen = torch.multinomial(sizes, n, replacement=True, generator=generator)
        updates = []
        for index in chosen.tolist():
            frame = self.force_frames[index]
            components = torch.randperm(int(sizes[index]), generator=generator)
            updates.append(Update("force", (frame,), components[: self.settings.force_batch]))
        return updates

    def _observe(self, update: Update) -> Observations:
        """Scaled errors xi (k,) and Jacobian (k, n_weights) of one update."""
        device = self.model.reference_energies.device
        frames = [_on(self.frames[n], device) for n in update.frames]
        if update.kind == "energy":
            predicted, reference, scale = self._energies(frames)
        elif update.kind == "force":
            predicted, reference, scale = self._forces(frames[0], update.components.to(device))
        else:
            predicted = stress_observations(self.model, frames[0])
            reference = frames[0].stress
            scale = self.settings.stress_weight * math.sqrt(frames[0].weight) / GPa
            scale = torch.full_like(reference, scale)
        scale = scale.to(predicted.values.dtype)
        errors = scale * (reference.to(scale.dtype) - predicted.values)
        return Observations(errors, scale[:, None] * predicted.jacobian)

    def _energies(self, frames: list[PreparedFrame]):
        """Energies per atom: (predictions, reference energies, sqrt(weight) / N)."""
        device = self.model.reference_energies.device
        reference = torch.tensor([f.energy for f in frames], device=device)
        n_atoms = torch.tensor([f.n_atoms for f in frames], device=device)
        weights = torch.tensor([f.weight for f in frames], device=device)
        return energy_observations(self.model, frames), reference, weights.sqrt() / n_atoms

    def _forces(self, frame: PreparedFrame, components: torch.Tensor):
        """Force components: (predictions, references, force_weight sqrt(weights))."""
        atoms, directions = components // 3, components % 3
        reference = frame.forces[atoms, directions]
        scale = torch.full_like(reference, self.settings.force_weight * math.sqrt(frame.weight))
        if frame.force_weights is not None:  # per-atom (GDF) weights, as in the loss
            scale = scale * frame.force_weights[atoms].sqrt()
        return force_observations(self.model, frame, atoms, directions), reference, scale

    def state_dict(self) -> dict:
        return {"kind": "kalman", "filter": self.filter.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        if state.get("kind") != "kalman":
            raise MlpotError(
                "the checkpoint was written with another optimizer than the Kalman filter; "
                "resume with the optimizer the run was started with, or start a new run"
            )
        try:
            self.filter.load_state_dict(state["filter"])
        except ValueError as err:
            raise MlpotError(f"cannot resume the Kalman filter: {err}") from None


def _count(expected: float) -> int:
    """Number of updates per epoch: at least one where any are asked for."""
    return max(1, round(expected)) if expected > 0 else 0


def _cycled(items: list[int], n: int, generator: torch.Generator) -> list[int]:
    """n items: whole random permutations of `items` repeated, the last one cut short."""
    out: list[int] = []
    while len(out) < n and items:
        out += [items[int(i)] for i in torch.randperm(len(items), generator=generator)]
    return out[:n]


def _on(frame: PreparedFrame, device: torch.device) -> PreparedFrame:
    if frame.species.device == device:
        return frame
    moved = {
        k: v.to(device) if isinstance(v, (torch.Tensor, ModelInputs)) else v
        for k, v in vars(frame).items()
    }
    return dataclasses.replace(frame, **moved)
