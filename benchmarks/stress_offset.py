"""Stress labels against energies, and what a model trained on them does with strained cells.

    python benchmarks/stress_offset.py --data ../shared/data/mlearn/Si/training.json ...
    python benchmarks/stress_offset.py --model runs/nb/Nb/run/model.pt \
        --data /work/data/nb/Nb/test.json

--data alone: per file, the isotropic offset of its stress labels against the energies of its
strained copies (mlpot.data.stress_offset: GPa, ASE sign, standard error, pairs). With
--model: per group of each file, the mean signed energy error (meV/atom) and pressure error
(GPa, model - label), and the Elastic cells' signed energy errors by strain, the pattern a
model shows when its energy-volume curve is tilted.
"""

from __future__ import annotations

import argparse
import re

import numpy as np
from ase.units import GPa

STRAIN = re.compile(r"strain (-?[\d.]+)")


def offsets(path: str) -> str:
    from mlpot.data import read_frames
    from mlpot.data.stress_offset import estimate_stress_offset

    offset = estimate_stress_offset(read_frames(path))
    if offset is None:
        return f"{path}: no strained pairs"
    return (f"{path}: {offset.stress / GPa:+.3f} +/- {offset.standard_error / GPa:.3f} GPa "
            f"from {offset.pairs} pairs")


def signed_errors(model_path: str, path: str) -> list[str]:
    """Mean signed energy (meV/atom) and pressure (GPa) errors per group, then per strain of
    the Elastic group."""
    from mlpot.analysis.errors import predict_frames
    from mlpot.calculators import MlpotCalculator
    from mlpot.data import read_frames
    from mlpot.models.serialization import load_model

    frames = read_frames(path)
    predicted = predict_frames(MlpotCalculator(load_model(model_path)), frames)
    rows = []
    for k, frame in enumerate(frames):
        energy = (predicted.energy[k] - frame.energy) / len(frame) * 1000.0
        stress = predicted.stress[k]
        pressure = np.nan if stress is None else -(stress[:3] - frame.stress[:3]).mean() / GPa
        rows.append((frame.group, str(frame.info.get("description", "")), energy, pressure))
    lines = [f"{path} with {model_path}:", "| group | structures | E MAE | mean E error "
             "(meV/atom) | mean pressure error (GPa) |", "|---|---:|---:|---:|---:|"]
    for group in sorted({r[0] for r in rows}):
        energy = np.array([r[2] for r in rows if r[0] == group])
        pressure = np.array([r[3] for r in rows if r[0] == group])
        lines.append(f"| {group} | {len(energy)} | {np.abs(energy).mean():.2f} | "
                     f"{energy.mean():+.2f} | {np.nanmean(pressure):+.2f} |")
    lines.append("Elastic cells, signed energy error (meV/atom) by description:")
    lines += [f"  {energy:+7.2f}  {text}" for group, text, energy, _ in rows
              if group == "Elastic" and STRAIN.search(text)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", required=True, help="labelled data files")
    parser.add_argument("--model", help="a trained model: signed errors on the data")
    args = parser.parse_args()
    for path in args.data:
        print(offsets(path))
        if args.model:
            print("\n".join(signed_errors(args.model, path)))


if __name__ == "__main__":
    main()
