"""Read an n2p2 potential directory (input.nn, scaling.data, weights.ZZZ.data) as an mlpot model.

The potential's physical units are those of its training data, which the files do not name:
`units` says what one file unit of length and energy is (Å and eV by default, BOHR_HARTREE
for potentials trained in atomic units). n2p2's normalisation (mean_energy, conv_energy,
conv_length) is undone here too, so the model works in eV and Å:

    E_i [eV] = units.energy * (NN_e(x_i) / conv_energy + mean_energy + atom_energy[e])

with the symmetry-function parameters converted to Å (the descriptors G themselves do not
change, so scaling.data applies as it is).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from ase.data import atomic_numbers

from mlpot.data.n2p2_data import ANGSTROM_EV, FileUnits
from mlpot.data.sanity import notify
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.interop.n2p2.keywords import (
    check_short_range,
    read_atom_energies,
    read_cutoff,
    read_elements,
    read_normalisation,
)
from mlpot.interop.n2p2.network import read_networks
from mlpot.interop.n2p2.scaling import (
    COLUMNS,
    read_scaling_data,
    read_scaling_kind,
    scaler_parameters,
)
from mlpot.interop.n2p2.settings import read_settings
from mlpot.interop.n2p2.symmetry import read_symmetry_functions, scale_lengths
from mlpot.interop.n2p2.units import bohr_evidence
from mlpot.interop.n2p2.weights import read_weights, weights_file
from mlpot.models.nnp import NeuralNetworkPotential


def is_potential_dir(path: str | Path) -> bool:
    """Whether `path` is a directory holding an n2p2 input.nn."""
    return Path(path).is_dir() and (Path(path) / "input.nn").is_file()


def read_potential(path: Path, units: FileUnits | None = None) -> NeuralNetworkPotential:
    """The float64 mlpot model of the n2p2 potential in directory `path` (or of its input.nn).

    units: of the files; None reads them as Å and eV unless they look like Bohr (see
    mlpot.interop.n2p2.units), which is refused: then the caller must say.

    model.metadata["n2p2"] keeps where it came from and the scaling.data statistics
    (min, max, mean, sigma per function, in the model's column order).
    """
    directory = _directory(Path(path))
    settings = read_settings(directory / "input.nn")
    check_short_range(settings)
    elements = read_elements(settings)
    normalisation = read_normalisation(settings)
    functions = read_symmetry_functions(settings, elements)
    stats = read_scaling_data(directory / "scaling.data", {e: len(functions[e]) for e in elements})
    units = units or _default_units(directory, functions, stats)
    sfset = SymmetryFunctionSet(
        elements,
        {e: tuple(scale_lengths(sf, units.length) for sf in sfs) for e, sfs in functions.items()},
        read_cutoff(settings),
    )
    model = NeuralNetworkPotential(sfset, read_networks(settings, elements), torch.float64)
    kind = read_scaling_kind(settings)
    with torch.no_grad():
        for element in elements:
            shift, scale = scaler_parameters(kind, stats[element], directory / "scaling.data")
            _set(model.scalers[element].shift, shift)
            _set(model.scalers[element].scale, scale)
            _set_range(model, element, stats[element].values)
            _load_weights(model, element, directory, settings.has("normalize_nodes"))
        offsets = read_atom_energies(settings, elements)
        references = [(normalisation.mean_energy + offsets[e]) * units.energy for e in elements]
        _set(model.reference_energies, np.array(references))
        model.energy_scale.fill_(units.energy / normalisation.conv_energy)
    model.metadata = {"n2p2": _metadata(directory, units, stats)}
    return model.eval()


def _default_units(directory: Path, functions, stats) -> FileUnits:
    """Å and eV, unless the files look like Bohr: an error for strong signs, a warning for
    weak ones."""
    strong, weak = bohr_evidence(functions, {e: s.values for e, s in stats.items()})
    ask = "give --units bohr-hartree (units=BOHR_HARTREE)"
    if strong:
        raise MlpotError(
            f"'{directory}': this n2p2 potential looks like it is in Bohr and Hartree ("
            f"{'; '.join(r for r in (strong, weak) if r)}); {ask}, or --units angstrom-ev if "
            "it really is in Å and eV"
        )
    if weak:
        notify(f"'{directory}': read as Å and eV, but {weak}; if it is in Bohr and Hartree, {ask}")
    return ANGSTROM_EV


def _directory(path: Path) -> Path:
    directory = path.parent if path.name == "input.nn" else path
    if not is_potential_dir(directory):
        raise MlpotError(
            f"'{path}': not an n2p2 potential directory (no input.nn there); give the "
            "directory holding input.nn, scaling.data and weights.ZZZ.data"
        )
    return directory


def _set(buffer: torch.Tensor, values: np.ndarray) -> None:
    buffer.copy_(torch.as_tensor(values, dtype=buffer.dtype))


def _load_weights(model, element: str, directory: Path, normalise: bool) -> None:
    """weights.ZZZ.data into the element's Linear layers; normalize_nodes (each neuron's input
    sum divided by its number of inputs) is the same as dividing W and b."""
    widths = [model.sfset.n_features(element), *model.network_specs[element].hidden, 1]
    path = weights_file(directory, atomic_numbers[element])
    layers = read_weights(path, widths, element)
    linears = [m for m in model.networks[element].children() if isinstance(m, torch.nn.Linear)]
    for linear, (w, b) in zip(linears, layers, strict=True):
        n_in = w.shape[0] if normalise else 1
        _set(linear.weight, w.T / n_in)
        _set(linear.bias, b / n_in)


def _set_range(model: NeuralNetworkPotential, element: str, values: np.ndarray) -> None:
    """The scaling.data range as the model's training range of each descriptor (for
    extrapolation warnings)."""
    ranges = model.descriptor_ranges[element]
    _set(ranges.low, values[:, 0])
    _set(ranges.high, values[:, 1])


def _metadata(directory: Path, units: FileUnits, stats) -> dict:
    return {
        "source": str(directory),
        "file_units": {"length_angstrom": units.length, "energy_ev": units.energy},
        "statistics": {
            e: {c: s.values[:, k].tolist() for k, c in enumerate(COLUMNS)} for e, s in stats.items()
        },
    }
