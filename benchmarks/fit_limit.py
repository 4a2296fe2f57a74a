"""Is a trained model limited by its optimiser or by what it can represent?

    python benchmarks/fit_limit.py runs/zuo/Si ../shared/data/mlearn/Si/test.json \
        --iterations 300 --split-energy -5.0

RUN is a directory that benchmarks/zuo.py wrote (config.yaml, run/model.pt). Two measurements:

1. The model continued with full-batch L-BFGS (SciPy's L-BFGS-B) on the recipe's loss, from
   the weights Adam and the moving average ended with: training and validation loss and the
   errors on training, validation and test set every --every iterations. If the training loss
   falls while the validation loss rises, the optimiser had already stopped near the point that
   generalises best; a model limited by its optimiser would improve on all three.
2. Errors per kind of structure (the files' group labels; with --split-energy, structures above
   that energy per atom in DFT form a kind of their own), on the training file (training and
   validation structures together) and on the test file: a kind fitted equally badly on both
   is a bias of the model, one fitted well only in training an overfit.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import scipy.optimize
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from mlpot.config.load import load_config
from mlpot.data import read_frames
from mlpot.models.predict import predict
from mlpot.models.serialization import load_model
from mlpot.training.data import read_test_groups, read_training_data
from mlpot.training.dataset import batch_to, collate, prepare_frames
from mlpot.training.loss import batch_loss
from mlpot.training.run import resolved_settings
from mlpot.training.trainer import Trainer

LOSS_SCALE = 1e4  # keeps L-BFGS-B's absolute tolerances away from a loss of order 1e-4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("test", type=Path)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--split-energy", type=float, default=None, help="eV/atom")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    config = load_config(args.run / "config.yaml")
    train_frames, val_frames = read_training_data(config)
    test_frames = read_frames(args.test)
    model = load_model(args.run / "run" / "model.pt")
    dtype = getattr(torch, config.training.dtype)

    def prepare(frames):
        return prepare_frames(frames, model, dtype, sorted({f.group for f in frames}), False)

    sets = {"train": train_frames, "val": val_frames, "test": test_frames}
    sets = {name: prepare(frames) for name, frames in sets.items()}
    settings = resolved_settings(config.training, len(sets["train"]))
    settings = settings.model_copy(update={"batch_size": 16, "ema_decay": None})
    trainer = Trainer(model, sets["train"], sets["val"], settings, args.run / "fit_limit")

    print("errors per kind (MAE energy meV/atom / forces eV/Å)\n")
    labelled = read_test_groups(config.data.train, config.data.require_forces)  # files' labels
    print_kinds(trainer, labelled, test_frames, args.split_energy, prepare)
    print("\nfull-batch L-BFGS from the trained model\n")
    continue_lbfgs(trainer, sets, args.iterations, args.every)


def print_kinds(trainer, training, test, split_energy, prepare) -> None:
    def kind(frame):
        hot = split_energy is not None and frame.energy / len(frame.numbers) > split_energy
        return f"above {split_energy} eV/atom" if hot else frame.group

    print("| kind | training n | training E / F | test n | test E / F |")
    print("|---|---:|---|---:|---|")
    for name in sorted({kind(f) for f in training + test}):
        cells = []
        for frames in (training, test):
            chosen = [f for f in frames if kind(f) == name]
            if not chosen:
                cells += ["0", ""]
                continue
            _, errors = trainer.evaluate(prepare(chosen))
            cells += [str(len(chosen)), f"{errors['energy_mae']:.2f} / {errors['forces_mae']:.3f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


def continue_lbfgs(trainer: Trainer, sets: dict, iterations: int, every: int) -> None:
    model, loss_terms = trainer.model, trainer.settings.loss
    params = [p for p in model.parameters() if p.requires_grad]
    frames, size = sets["train"], trainer.settings.batch_size
    batches = [batch_to(collate(frames[i : i + size]), "cpu") for i in range(0, len(frames), size)]
    n_train = len(frames)

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        vector_to_parameters(torch.as_tensor(x, dtype=params[0].dtype), params)
        for p in params:
            p.grad = None
        total = 0.0
        for batch in batches:
            pred = predict(model, batch.inputs, {"forces", "stress"}, create_graph=True)
            share = LOSS_SCALE * len(batch.n_atoms) / n_train
            loss = batch_loss(pred, batch, loss_terms) * share
            loss.backward()
            total += float(loss.detach())
        return total, torch.cat([p.grad.reshape(-1) for p in params]).double().numpy()

    print("| iteration | s | train loss | val loss | train E / F | val E / F | test E / F |")
    print("|---:|---:|---:|---:|---|---|---|")
    start = time.perf_counter()
    report(trainer, sets, 0, 0.0)
    done = [0]

    def callback(x: np.ndarray) -> None:
        done[0] += 1
        if done[0] % every == 0:
            vector_to_parameters(torch.as_tensor(x, dtype=params[0].dtype), params)
            report(trainer, sets, done[0], time.perf_counter() - start)

    x0 = parameters_to_vector(params).detach().double().numpy().copy()
    options = {"maxiter": iterations, "maxcor": 50, "ftol": 0.0, "gtol": 0.0}
    scipy.optimize.minimize(
        loss_and_gradient, x0, jac=True, method="L-BFGS-B", callback=callback, options=options
    )


def report(trainer: Trainer, sets: dict, iteration: int, seconds: float) -> None:
    cells = [str(iteration), f"{seconds:.0f}"]
    results = {name: trainer.evaluate(frames) for name, frames in sets.items()}
    cells += [f"{results['train'][0]:.3e}", f"{results['val'][0]:.3e}"]
    for name in ("train", "val", "test"):
        errors = results[name][1]
        cells.append(f"{errors['energy_mae']:.2f} / {errors['forces_mae']:.4f}")
    print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
