"""BiasedCalculator: any ASE calculator plus a bias on collective variables.

E = E_calc + V(s(R)), F = F_calc - sum_k dV/ds_k ds_k/dR, stress = stress_calc +
sum_k dV/ds_k (ds_k/d strain) / volume where the CV gives its virial. Attached to an ASE MD
run (`attach`), it records s after each step and lets the bias change (hills, a moving
centre); `save` / `restore` write and read the bias and the history, so a restarted run
continues the same bias.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from mlpot.errors import MlpotError
from mlpot.sampling.bias import Bias

_OWN = {"step", "history_steps", "history_values", "history_bias"}


class BiasedCalculator(Calculator):
    """`calc` with `bias` added: energy, free_energy and forces always, stress where both
    the calculator and the bias's CV give it; bias_energy (eV) alone."""

    implemented_properties = ["energy", "free_energy", "forces", "stress", "bias_energy"]

    def __init__(self, calc: Calculator, bias: Bias):
        super().__init__()
        self.calc, self.bias = calc, bias
        self.step = 0
        self.history_steps: list[int] = []
        self.history_values: list[np.ndarray] = []
        self.history_bias: list[float] = []
        self.values: np.ndarray | None = None  # s at the last calculation

    def calculate(
        self, atoms: Atoms | None = None, properties=("energy",), system_changes=all_changes
    ) -> None:
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        terms = self.bias.terms(atoms)
        self.values = terms.values
        energy = self.calc.get_property("energy", atoms) + terms.energy
        forces = self.calc.get_property("forces", atoms) - terms.gradient
        self.results = {
            "energy": energy,
            "free_energy": energy,
            "forces": forces,
            "bias_energy": terms.energy,
        }
        if "stress" in properties:
            self.results["stress"] = self._stress(atoms, terms.virial)

    def _stress(self, atoms: Atoms, virial: np.ndarray | None) -> np.ndarray:
        if not atoms.pbc.all():
            raise MlpotError("stress needs a cell periodic in all three directions")
        if virial is None:
            raise MlpotError(
                f"the collective variable {', '.join(self.bias.cv.names)} gives "
                "no stress; run this bias at constant volume (NVT)"
            )
        bias_stress = virial / atoms.get_volume()
        bias_stress = 0.5 * (bias_stress + bias_stress.T)
        return self.calc.get_property("stress", atoms) + full_3x3_to_voigt_6_stress(bias_stress)

    def observe(self, atoms: Atoms) -> None:
        """After an MD step: record s and let the bias change (then results are recomputed)."""
        self.get_property("energy", atoms)
        self.step += 1
        self.history_steps.append(self.step)
        self.history_values.append(self.values.copy())
        self.history_bias.append(self.results["bias_energy"])
        if self.bias.update(self.values, self.step):
            self.reset()

    def attach(self, dynamics) -> None:
        """Observe every step of an ASE MD run (not its initial call before the first step)."""

        def after_step() -> None:
            if dynamics.nsteps > 0:
                self.observe(dynamics.atoms)

        dynamics.attach(after_step, interval=1)

    @property
    def history(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps (T,), s (T, K) or per-atom projections (T, N, K), bias energies (T,) eV)
        after each observed step."""
        values = np.array(self.history_values)
        return np.array(self.history_steps, dtype=int), values, np.array(self.history_bias)

    def save(self, path: str | Path) -> None:
        """The bias, the step count and the CV history as one .npz (written atomically)."""
        path = Path(path)
        steps, values, bias = self.history
        state = self.bias.state()
        clash = _OWN & state.keys()
        if clash:
            raise ValueError(f"bias state keys {sorted(clash)} clash with the calculator's")
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            np.savez(
                handle,
                step=self.step,
                history_steps=steps,
                history_values=values,
                history_bias=bias,
                **state,
            )
        os.replace(temporary, path)

    def restore(self, path: str | Path) -> None:
        """Continue from a file `save` wrote: bias, step count and history."""
        try:
            with np.load(path) as data:
                saved = {key: data[key] for key in data.files}
        except (OSError, ValueError) as error:
            raise MlpotError(f"{path}: cannot read a saved bias ({error})") from error
        missing = _OWN - saved.keys()
        if missing:
            raise MlpotError(f"{path}: not a saved bias (lacks {', '.join(sorted(missing))})")
        self.bias.load_state({k: v for k, v in saved.items() if k not in _OWN})
        self.step = int(saved["step"])
        self.history_steps = saved["history_steps"].tolist()
        self.history_values = list(saved["history_values"])
        self.history_bias = saved["history_bias"].tolist()
        self.reset()
