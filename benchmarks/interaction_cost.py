"""What neighbour messages (`model.interaction`) cost in evaluation: energy and forces of the
speed benchmark's Mo model (benchmarks/speed.py: 39 functions, cutoff 5.2 Å, 2,000 rattled bcc
atoms, one thread) without messages (the fused kernel), the same model through torch (the
path every model with messages takes), and with messages from 2.8 Å (the first shell) and
from the whole cutoff. Random weights; the cost does not depend on their values.

    python benchmarks/interaction_cost.py [--repeats 10]

Prints microseconds of wall time per atom (median of the repeats, the variants called in
turn) as a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import _evaluator, _median_us, _prepared  # noqa: E402

N_ATOMS = 2_000
FIRST_SHELL = 2.8  # Å, between bcc Mo's second (3.16 Å) and first (2.74 Å) shells


def variants():
    """{name: (model, acsf, atoms, species, pairs, use the fused kernel)}."""
    import torch

    from mlpot.models.interaction import InteractionSpec
    from mlpot.models.nnp import NeuralNetworkPotential

    model, acsf, atoms, species, pairs = _prepared(N_ATOMS, 1)
    out = {
        "no messages (fused kernel)": (model, True),
        "no messages, through torch": (model, False),
    }
    for label, cutoff in (("messages from 2.8 Å", FIRST_SHELL), ("messages from 5.2 Å", None)):
        spec = InteractionSpec(features=8, radial=8, cutoff=cutoff)
        with torch.random.fork_rng():
            torch.manual_seed(0)
            messages = NeuralNetworkPotential(model.sfset, model.network_specs, model.dtype, spec)
        messages.scalers.load_state_dict(model.scalers.state_dict())
        messages.energy_scale.copy_(model.energy_scale)
        messages.interaction.neighbours.fill_(8.0 if cutoff else 58.0)
        out[label] = (messages, False)
    return {name: (m, acsf, atoms, species, pairs, fused) for name, (m, fused) in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    from mlpot.models import evaluate as ev
    from mlpot.models.pair_sums import forces_from_pair_gradients

    def timed(model, acsf, atoms, species, pairs, fused):
        if fused or model.interaction is not None:  # models with messages take the torch path
            evaluate = _evaluator(model, pairs)  # the list given, as for the torch path
            return lambda: evaluate(atoms, {"forces"})

        def through_torch():
            computed = acsf.compute(species, pairs)
            _, grad = ev.torch_energies_and_pair_gradients(model, acsf, species, pairs, computed)
            forces_from_pair_gradients(grad, pairs.first, pairs.second, len(species))

        return through_torch

    cases = variants()
    functions = {name: timed(*case) for name, case in cases.items()}
    for fn in functions.values():  # compile and warm up
        fn()
    us = _median_us(functions, args.repeats, N_ATOMS)
    print("| model | E+F µs/atom | / fused |")
    print("|---|---:|---:|")
    base = us["no messages (fused kernel)"]
    for name, value in us.items():
        print(f"| {name} | {value:.1f} | {value / base:.1f} |")


if __name__ == "__main__":
    main()
