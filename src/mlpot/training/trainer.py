"""The optimisation loop: epochs of mini-batches, validation, schedule, checkpoints, resume."""

from __future__ import annotations

import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm.auto import tqdm

from mlpot.config.schema import LossWeights, TrainingConfig
from mlpot.errors import MlpotError
from mlpot.models.potential import FITTED, KALMAN, Potential
from mlpot.models.predict import predict
from mlpot.models.serialization import save_model
from mlpot.training.average import WeightAverage
from mlpot.training.checkpoint import load_checkpoint, save_checkpoint
from mlpot.training.dataset import PreparedFrame, batch_to, collate
from mlpot.training.kalman import KalmanUpdater
from mlpot.training.loss import batch_loss, final_loss, structure_losses
from mlpot.training.metrics import ErrorAccumulator
from mlpot.training.selection import EpochSelection
from mlpot.training.time_budget import FIRST_CHECK, epoch_pace, epochs_within, is_budget_check


@dataclass
class RunFiles:
    """Where a run writes: the kept model, checkpoints, the per-epoch CSV log and run.json."""

    root: Path

    @property
    def model(self) -> Path:
        return self.root / "model.pt"

    @property
    def latest(self) -> Path:
        return self.root / "checkpoints" / "latest.pt"

    @property
    def log(self) -> Path:
        return self.root / "log.csv"

    @property
    def record(self) -> Path:
        """run.json: the run's metadata, then the summary of its kept model."""
        return self.root / "run.json"


class Trainer:
    """Trains `model` with the `settings` of a training config (epochs resolved to a number,
    see mlpot.training.run), writing the run's files in `output`."""

    def __init__(
        self,
        model: Potential,
        train_set: list[PreparedFrame],
        validation_set: list[PreparedFrame],
        settings: TrainingConfig,
        output: Path,
        metadata: dict | None = None,
        progress: bool = True,
    ):
        if not train_set:
            raise ValueError("no training structures")
        if not isinstance(settings.epochs, int):
            raise ValueError(f"epochs must be a number here, not {settings.epochs!r}")
        self.model = model.to(settings.device)
        self.train_set = train_set
        self.validation_set = validation_set
        self.settings = settings
        self.requested_epochs = settings.epochs  # a time budget fits the count up to this
        self.progress = progress
        self.files = RunFiles(Path(output))
        self.metadata = metadata or {}
        self.final_loss, self.final_loss_epoch = final_loss(settings.loss, settings.epochs)
        self.fitted = FITTED in model.capabilities
        self.optimizer = None if self.fitted else _optimizer(model, settings, train_set)
        self.scheduler = None if self.fitted else _scheduler(self.optimizer, settings)
        self.average = None if self.fitted else _moving_average(self.model, settings)
        self.rows: list[dict] = []
        stop = settings.early_stopping
        self.selection = EpochSelection(settings.select, stop.min_delta if stop else 0.0)
        self.bad_epochs = 0
        self.epoch = 0

    @property
    def _loss(self) -> LossWeights:
        in_final = self.final_loss is not None and self.epoch >= self.final_loss_epoch
        return self.final_loss if in_final else self.settings.loss

    @property
    def evaluated_model(self) -> Potential:
        """The model that is validated and saved: the weights' moving average, if any."""
        return self.model if self.average is None else self.average.module

    @property
    def _outputs(self) -> set[str]:
        """What the loss needs predicted."""
        loss = self._loss
        return {name for name in ("forces", "stress") if getattr(loss, name)}

    def resume(self) -> None:
        """Continue from the latest checkpoint of this output directory."""
        data = load_checkpoint(self.files.latest)
        self.model.load_state_dict(data["model"].state_dict())
        self.optimizer.load_state_dict(data["optimizer"])
        if self.scheduler is not None and data["scheduler"] is not None:
            self.scheduler.load_state_dict(data["scheduler"])
        if self.average is not None:
            self._resume_average(data)
        state = data["state"]
        self.epoch, self.bad_epochs = state["epoch"], state["bad_epochs"]
        self._resume_selection(state)
        self.rows = list(state["rows"])
        self._rewrite_log()
        if self.settings.max_minutes is not None and self.epoch >= FIRST_CHECK:
            self._use_epochs(state["epochs"])  # the count the time budget chose
        self._continue_cosine(state.get("epochs"))

    def _continue_cosine(self, saved_epochs: int | None) -> None:
        """Resumed with another number of epochs, a cosine schedule would jump (back up from
        min_lr when there are more): it keeps its phase instead, going on from the last
        epoch's rate along the cosine that reaches min_lr at the new last epoch, and says so."""
        if not isinstance(self.scheduler, torch.optim.lr_scheduler.CosineAnnealingLR):
            return
        saved = saved_epochs if saved_epochs is not None else self.scheduler.T_max + 1
        left = self.settings.epochs - self.epoch
        if saved == self.settings.epochs or left <= 0 or not self.rows:
            return
        last = self.rows[-1]["lr"]  # the optimiser's own is one schedule step past the end
        lr = cosine_step(last, self.scheduler.last_epoch, self.settings.epochs - 1,
                         self.settings.schedule.min_lr)
        self.scheduler.T_max = max(self.settings.epochs - 1, 1)
        self._set_rates([lr] * len(self.optimizer.param_groups))
        tqdm.write(
            f"the cosine schedule was set for {saved} epochs, now {self.settings.epochs}: it "
            f"goes on from the last epoch's learning rate {last:.3g} along the cosine that "
            f"reaches {self.settings.schedule.min_lr:.3g} at epoch {self.settings.epochs}",
            file=sys.stderr,
        )

    def _resume_average(self, data: dict) -> None:
        if data.get("average") is None:
            raise MlpotError(
                f"{self.files.latest}: the run was started without a moving average of the "
                "weights; resume it with training.ema_decay: null, as it was started"
            )
        self.average.module.load_state_dict(data["average"].state_dict())
        self.average.n_averaged = int(data["state"]["n_averaged"])

    def run(self) -> list[dict]:
        """Train until `epochs` or early stopping; returns the log rows. A model fitted in
        closed form (capability FITTED) is only evaluated and saved (one row, epoch 0)."""
        if self.fitted:
            return self._record_fit()
        bar = tqdm(total=self.settings.epochs, initial=self.epoch, desc="training",
                   unit="epoch", disable=not self.progress)
        while self.epoch < self.settings.epochs and not self._stopped():
            self.epoch += 1
            if self.final_loss is not None and self.epoch == self.final_loss_epoch:
                self._start_final_stage()
            row = self._epoch()
            self.rows.append(row)
            self._append_log(row)
            self._track_best(row)
            if is_budget_check(self.epoch) and self.settings.max_minutes is not None:
                self._fit_time_budget(bar)
            last = self.epoch == self.settings.epochs
            if self.epoch % self.settings.checkpoint_every == 0 or last or self._stopped():
                self._checkpoint()
            bar.update(1)
            bar.set_postfix(_postfix(row))
        bar.close()
        if not self.files.model.exists():
            save_model(self.evaluated_model, self.files.model, self.metadata)
        return self.rows

    def _fit_time_budget(self, bar: tqdm) -> None:
        """Set the epochs to what training.max_minutes allows at the pace so far (at most the
        count asked for); a later check leaves them when that would move a final loss stage
        to or before this epoch, or one has begun."""
        seconds = [r["time_s"] for r in self.rows]
        n = min(epochs_within(self.settings.max_minutes, seconds), self.requested_epochs)
        if n == self.settings.epochs:
            return
        if self.epoch > FIRST_CHECK and not self._final_stage_ahead(n):
            return
        tqdm.write(f"training.max_minutes {self.settings.max_minutes:g}: {n} epochs fit at "
                   f"{epoch_pace(seconds):.3g} s each (the mean after the first), not "
                   f"{self.settings.epochs}", file=sys.stderr)
        self._set_epochs(n)
        bar.total = n

    def _final_stage_ahead(self, n: int) -> bool:
        """Whether a final loss stage, if any, is still to start both now and with n epochs."""
        if self.final_loss is None:
            return True
        return min(self.final_loss_epoch, final_loss(self.settings.loss, n)[1]) > self.epoch

    def _set_epochs(self, n: int) -> None:
        """Train for n epochs instead: the final loss stage follows, and a cosine schedule
        goes on as the one set for n epochs from the start (a small step in the rate at a
        check that changes the count a little; restarting the curve from its flat top at
        each check would hold the rate high and drop it in the last epochs)."""
        self._use_epochs(n)
        scheduler = self.scheduler
        if not isinstance(scheduler, torch.optim.lr_scheduler.CosineAnnealingLR):
            return
        scheduler.T_max = max(n - 1, 1)
        if scheduler.last_epoch <= scheduler.T_max:  # else the run ends with this epoch
            self._set_rates(scheduler._get_closed_form_lr())

    def _set_rates(self, rates: list[float]) -> None:
        """The optimiser's learning rates for the next epoch, and the scheduler's record."""
        for group, rate in zip(self.optimizer.param_groups, rates, strict=True):
            group["lr"] = rate
        self.scheduler._last_lr = list(rates)

    def _use_epochs(self, n: int) -> None:
        """n epochs in the settings and the final loss stage placed for them."""
        self.settings = self.settings.model_copy(update={"epochs": n})
        self.final_loss, self.final_loss_epoch = final_loss(self.settings.loss, n)

    def _record_fit(self) -> list[dict]:
        start = time.perf_counter()
        train_loss, train_errors = self.evaluate(self.train_set)
        val_loss, val_errors = self.evaluate(self.validation_set)
        row = {"epoch": 0, "lr": math.nan, "train_loss": train_loss, "val_loss": val_loss}
        row.update({f"train_{k}": v for k, v in train_errors.items()})
        row.update({f"val_{k}": v for k, v in val_errors.items()})
        row["time_s"] = time.perf_counter() - start
        self.rows = [row]
        self._rewrite_log()
        save_model(self.model, self.files.model, {**self.metadata, "epoch": 0})
        return self.rows

    def _start_final_stage(self) -> None:
        """A new loss, not comparable with the old: selection and plateaus start afresh, and
        the optimiser's moments too where the stage asks for it."""
        self.selection.restart()
        if self.settings.loss.final.reset_optimizer:  # never Kalman: it refuses loss.final
            self.optimizer.state.clear()
        self.bad_epochs = 0
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.best, self.scheduler.num_bad_epochs = self.scheduler.mode_worse, 0

    def _stopped(self) -> bool:
        stop = self.settings.early_stopping
        return stop is not None and self.bad_epochs >= stop.patience

    def _epoch(self) -> dict:
        if isinstance(self.optimizer, KalmanUpdater):
            return self._kalman_epoch()
        start = time.perf_counter()
        self.model.train()
        train_errors = ErrorAccumulator()
        total, n_batches = 0.0, 0
        for batch in self._batches(self.train_set, shuffle=True):
            self.optimizer.zero_grad(set_to_none=True)
            pred = predict(self.model, batch.inputs, self._outputs, create_graph=True)
            loss = batch_loss(pred, batch, self._loss)
            loss.backward()
            self.optimizer.step()
            if self.average is not None:
                self.average.update(self.model)
            train_errors.add(pred, batch)
            total, n_batches = total + float(loss.detach()), n_batches + 1
        row = {"epoch": self.epoch, "lr": self.optimizer.param_groups[0]["lr"]}
        row["train_loss"] = total / n_batches
        val_loss, val_errors = self.evaluate(self.validation_set)
        row["val_loss"] = val_loss
        row.update({f"train_{k}": v for k, v in train_errors.summary().items()})
        row.update({f"val_{k}": v for k, v in val_errors.items()})
        self._step_schedule(val_loss if self.validation_set else row["train_loss"])
        row["time_s"] = time.perf_counter() - start
        return row

    def _kalman_epoch(self) -> dict:
        """n2p2's epoch: the filter's updates, then the errors on both sets."""
        start = time.perf_counter()
        status = self.optimizer.run_epoch(self.epoch)
        train_loss, train_errors = self.evaluate(self.train_set)
        val_loss, val_errors = self.evaluate(self.validation_set)
        row = {"epoch": self.epoch, "lr": math.nan, "train_loss": train_loss}
        row["val_loss"] = val_loss
        row.update({f"train_{k}": v for k, v in train_errors.items()})
        row.update({f"val_{k}": v for k, v in val_errors.items()})
        row.update(status)
        row["time_s"] = time.perf_counter() - start
        return row

    def evaluate(self, frames: list[PreparedFrame]) -> tuple[float, dict]:
        """(loss, error summary) on frames without updating the model; NaN loss when empty.
        The summary's "loss_se" is the standard error of the mean of the structures' losses."""
        if not frames:
            return math.nan, {**ErrorAccumulator().summary(), "loss_se": math.nan}
        model = self.evaluated_model
        model.eval()
        errors = ErrorAccumulator()
        total, count, shares = 0.0, 0, []
        for batch in self._batches(frames, shuffle=False):
            pred = predict(model, batch.inputs, {"forces", "stress"})
            loss = batch_loss(pred, batch, self._loss).detach()
            total += float(loss) * len(batch.n_atoms)
            count += len(batch.n_atoms)
            shares.append(structure_losses(pred, batch, self._loss).detach())
            errors.add(pred, batch)
        share = torch.cat(shares)
        se = float(share.std() / math.sqrt(len(share))) if len(share) > 1 else math.nan
        return total / count, {**errors.summary(), "loss_se": se}

    def _batches(self, frames: list[PreparedFrame], shuffle: bool):
        order = torch.arange(len(frames))
        if shuffle:
            generator = torch.Generator().manual_seed(self.settings.seed * 100_003 + self.epoch)
            order = torch.randperm(len(frames), generator=generator)
        size = self.settings.batch_size
        for start in range(0, len(frames), size):
            chosen = [frames[int(i)] for i in order[start : start + size]]
            yield batch_to(collate(chosen), self.settings.device)

    def _step_schedule(self, metric: float) -> None:
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.step(metric)
        elif self.scheduler is not None:
            self.scheduler.step()

    def _track_best(self, row: dict) -> None:
        """Early stopping's count, and the model kept by the selection rule."""
        if self.validation_set:
            metric, se = row["val_loss"], row["val_loss_se"]
        else:
            metric, se = row["train_loss"], 0.0
        improved, kept = self.selection.judge(metric, se)
        self.bad_epochs = 0 if improved else self.bad_epochs + 1
        if kept:
            model, metadata = self.evaluated_model, {**self.metadata, "epoch": self.epoch}
            save_model(model, self.files.model, metadata)

    def _resume_selection(self, state: dict) -> None:
        """The selection's state; a checkpoint from before the rules holds only "best"."""
        saved = state.get("selection")
        if saved is None:
            self.selection.lowest = state["best"]
        elif saved["rule"] != self.selection.rule:
            raise MlpotError(
                f"{self.files.latest}: the run keeps models by training.select "
                f"{saved['rule']!r}; resume it with that rule, as it was started"
            )
        else:
            self.selection = EpochSelection.from_state(saved)

    def _checkpoint(self) -> None:
        state = {
            "epoch": self.epoch,
            "selection": self.selection.state(),
            "bad_epochs": self.bad_epochs,
            "rows": self.rows,
            "epochs": self.settings.epochs,
        }
        average = None
        if self.average is not None:
            average, state["n_averaged"] = self.average.module, int(self.average.n_averaged)
        save_checkpoint(
            self.files.latest, self.model, self.optimizer, self.scheduler, state, average
        )

    def _append_log(self, row: dict) -> None:
        new = not self.files.log.exists()
        self.files.root.mkdir(parents=True, exist_ok=True)
        with open(self.files.log, "a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})

    def _rewrite_log(self) -> None:
        """On resume: the log holds exactly the epochs of the checkpoint."""
        self.files.log.unlink(missing_ok=True)
        for row in self.rows:
            self._append_log(row)


def _moving_average(model: Potential, s: TrainingConfig) -> WeightAverage | None:
    """The weights' moving average that is validated and saved, if training.ema_decay."""
    if s.ema_decay is None:
        return None
    if s.optimizer.name == "kalman":
        raise MlpotError("a moving average of the weights needs a gradient optimiser, not kalman")
    return WeightAverage(model, s.ema_decay)


def _optimizer(
    model: Potential, s: TrainingConfig, train_set: list[PreparedFrame]
) -> torch.optim.Optimizer | KalmanUpdater:
    o = s.optimizer
    if o.name == "kalman":
        model.require(KALMAN, "the Kalman filter (optimizer kalman)", "use adam")
        return KalmanUpdater(model, train_set, o, s.seed)
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[o.name]
    return cls(model.parameters(), lr=o.lr, weight_decay=o.weight_decay)


def _scheduler(optimizer: torch.optim.Optimizer, settings: TrainingConfig):
    if isinstance(optimizer, KalmanUpdater):
        return None  # the filter anneals its own process noise
    s, epochs = settings.schedule, settings.epochs
    if s.name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=s.factor, patience=s.patience, min_lr=s.min_lr
        )
    if s.name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=s.gamma)
    if s.name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=max(epochs - 1, 1), eta_min=s.min_lr
        )
    return None


def cosine_step(rate: float, step: int, last_step: int, min_lr: float) -> float:
    """The rate at schedule step `step` of the cosine from the rate at step - 1 to min_lr at
    `last_step` (step <= last_step): the same cosine shape, anchored at `rate`."""
    ratio = (1 + math.cos(math.pi * step / last_step)) / (
        1 + math.cos(math.pi * (step - 1) / last_step))
    return min_lr + (rate - min_lr) * ratio


def _cell(value):
    """A log value as written: empty for "no value" (NaN: no validation set, the Kalman
    filter's learning rate), never the text nan."""
    return "" if isinstance(value, float) and not math.isfinite(value) else value


def _postfix(row: dict) -> dict:
    prefix = "val" if not math.isnan(row["val_loss"]) else "train"
    return {
        "E meV/at": f"{row[f'{prefix}_energy_rmse']:.2f}",
        "F eV/A": f"{row[f'{prefix}_forces_rmse']:.3f}",
    }
