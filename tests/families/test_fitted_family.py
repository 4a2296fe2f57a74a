"""A family solved in closed form by its `fit` (capability FITTED, as Gaussian-process models
are): `mlpot train` fits it, logs its errors and saves it, with no gradient training."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
import yaml
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

from mlpot.cli.main import main
from mlpot.config.sections import Section
from mlpot.models.families import register_family
from mlpot.models.potential import FITTED, Potential
from mlpot.models.serialization import load_model
from mlpot.training.reference_energies import fit_reference_energies


class ReferenceEnergies(Potential):
    """E_i = E_ref[z_i]: no interactions, no trainable weights."""

    family = "reference"

    def __init__(self, elements):
        super().__init__()
        self._elements = tuple(elements)
        self.register_buffer("values", torch.zeros(len(elements), dtype=torch.float64))

    elements = property(lambda self: self._elements)
    cutoff = property(lambda self: 3.0)
    capabilities = property(lambda self: frozenset({FITTED}))

    def atomic_energies(self, inputs, vectors):
        return self.values[inputs.species]

    def spec(self):
        return {"elements": list(self._elements)}

    @classmethod
    def from_spec(cls, spec):
        return cls(spec["elements"])


class ReferenceConfig(Section):
    family: Literal["reference"]


def _fit(model, section, frames, prepared, keep_function, seed):
    refs = fit_reference_energies(frames, list(model.elements))
    model.values.copy_(torch.tensor([refs[e] for e in model.elements]))


register_family(ReferenceEnergies, ReferenceConfig, lambda s, c: ReferenceEnergies(c.elements),
                _fit)


def test_train_fits_in_closed_form_and_logs_the_errors(tmp_path):
    structures = []
    for k in range(6):
        atoms = bulk("Cu", "fcc", a=3.6 + 0.02 * k, cubic=True)
        atoms.numbers[: k % 3] = 28
        atoms.calc = EMT()
        atoms.get_potential_energy(), atoms.get_forces()
        structures.append(atoms)
    write(tmp_path / "train.xyz", structures, format="extxyz")
    config = {"output": str(tmp_path / "run"), "model": {"family": "reference"},
              "data": {"train": [{"name": "emt", "files": [str(tmp_path / "train.xyz")]}],
                       "validation": 0.0}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "config.yaml"), "--no-progress"]) == 0
    model = load_model(tmp_path / "run" / "model.pt")
    numbers = [{"Cu": 29, "Ni": 28}[e] for e in model.elements]
    counts = np.array([[np.sum(a.numbers == z) for z in numbers] for a in structures])
    energies = [a.get_potential_energy() for a in structures]
    expected = np.linalg.lstsq(counts, energies, rcond=None)[0]
    np.testing.assert_allclose(model.values.numpy(), expected, rtol=1e-6)  # extxyz digits
    log = (tmp_path / "run" / "log.csv").read_text().splitlines()
    assert len(log) == 2 and log[1].startswith("0,")
