"""Descriptor ranges: fitted in training, stored in model files, counted by the calculators."""

from __future__ import annotations

import numpy as np
import torch
from physics_helpers import bulk_alni, make_model
from uncertainty_helpers import committee, emt_frames, fit_ranges

from mlpot.calculators import MlpotCalculator
from mlpot.models.serialization import load_model, model_from_dict, model_to_dict, save_model
from mlpot.uncertainty import EnsembleCalculator
from mlpot.uncertainty.extrapolation import DescriptorRange, union_range

FRAMES = emt_frames(6)


def extrapolation(calc, atoms):
    atoms.calc = calc
    return atoms.calc.get_property("extrapolation", atoms)


def test_range_counts_values_outside():
    limits = DescriptorRange(3)
    assert not limits.known
    assert limits.count_outside(torch.tensor([[1e9, -1e9, 0.0]])).tolist() == [0]
    limits.fit(torch.tensor([[0.0, 1.0, 2.0], [1.0, 3.0, 2.0]]))
    assert limits.known
    g = torch.tensor([[0.5, 2.0, 2.0], [-0.1, 3.5, 2.0], [0.0, 1.0, 2.1], [1.0, 3.0, 2.0]])
    assert limits.count_outside(g).tolist() == [0, 2, 1, 0]


def test_range_of_an_element_without_training_atoms_is_empty():
    limits = DescriptorRange(2)
    limits.fit(torch.zeros((0, 2)))
    assert limits.known and limits.count_outside(torch.zeros((1, 2))).tolist() == [2]


def test_union_covers_every_member():
    a, b = DescriptorRange(2), DescriptorRange(2)
    a.fit(torch.tensor([[0.0, 5.0]]))
    b.fit(torch.tensor([[1.0, 2.0]]))
    union = union_range([a, b])
    assert union.low.tolist() == [0.0, 2.0] and union.high.tolist() == [1.0, 5.0]


def test_training_structures_are_inside_and_a_compressed_one_is_outside():
    model = fit_ranges(make_model(), FRAMES)
    assert model.has_descriptor_ranges
    calc = MlpotCalculator(model)
    for frame in FRAMES:
        assert extrapolation(calc, frame.to_atoms(with_labels=False)).tolist() == [0] * 8
    compressed = FRAMES[0].to_atoms(with_labels=False)
    compressed.set_cell(compressed.cell * 0.85, scale_atoms=True)
    counts = extrapolation(calc, compressed)
    assert counts.shape == (8,) and (counts > 0).all()
    # the same counts from a committee of copies of the model
    ensemble = EnsembleCalculator([model, model])
    assert extrapolation(ensemble, compressed).tolist() == counts.tolist()


def test_extrapolation_alone_leaves_energies_alone():
    atoms = FRAMES[0].to_atoms(with_labels=False)
    atoms.calc = MlpotCalculator(fit_ranges(make_model(), FRAMES))
    energy = atoms.get_potential_energy()
    atoms.calc.get_property("extrapolation", atoms)
    assert atoms.get_potential_energy() == energy
    atoms.positions[0] += 0.1
    assert atoms.calc.get_property("extrapolation", atoms).shape == (8,)
    assert "energy" not in atoms.calc.results


def test_committee_counts_against_the_union_of_member_ranges():
    first, second = committee(2)
    fit_ranges(first, FRAMES[:3])
    fit_ranges(second, FRAMES[3:])
    calc = EnsembleCalculator([first, second])
    for frame in FRAMES:  # each frame was seen by one member
        assert extrapolation(calc, frame.to_atoms(with_labels=False)).sum() == 0
    one_sided = [extrapolation(MlpotCalculator(first), f.to_atoms()).sum() for f in FRAMES[3:]]
    assert sum(one_sided) > 0


def test_ranges_survive_saving(tmp_path):
    model = fit_ranges(make_model(), FRAMES)
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    for element in model.elements:
        for name in ("low", "high"):
            saved = getattr(model.descriptor_ranges[element], name)
            assert torch.equal(getattr(loaded.descriptor_ranges[element], name), saved)


def test_models_saved_without_ranges_still_load():
    data = model_to_dict(fit_ranges(make_model(), FRAMES))
    data["state"] = {k: v for k, v in data["state"].items() if "descriptor_ranges" not in k}
    old = model_from_dict(data)
    assert not old.has_descriptor_ranges
    atoms = bulk_alni()
    atoms.calc = MlpotCalculator(old)
    assert np.isfinite(atoms.get_potential_energy())
    assert "extrapolation" not in atoms.calc.implemented_properties
    assert "extrapolation" not in EnsembleCalculator([old, old]).implemented_properties
