"""Write an mlpot model as an n2p2 potential directory, for n2p2 and LAMMPS `pair_style hdnnp`.

The files are in eV and Å without normalisation; the networks read the raw symmetry functions
(no scaling keyword, n2p2's "Gs = G"), with mlpot's preprocessing and energy scale folded into
their weights (folding.py) and the reference energies as atom_energy. scaling.data carries the
training range of every function where the model knows it (n2p2 uses it for extrapolation
warnings only), else an unbounded range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase.data import atomic_numbers

import mlpot
from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
from mlpot.errors import MlpotError
from mlpot.files import write_text_atomically
from mlpot.interop.n2p2.folding import N2p2Network, n2p2_networks
from mlpot.interop.n2p2.keywords import MAX_ATOMIC_NUMBER, n2p2_order
from mlpot.interop.n2p2.scaling import COLUMNS, scaling_lines
from mlpot.interop.n2p2.symmetry import n2p2_permutation
from mlpot.interop.n2p2.weights import weight_lines, weights_file
from mlpot.models.nnp import NeuralNetworkPotential
from mlpot.models.potential import export_capability

LAMMPS_SNIPPET = "lammps.in"


def write_potential(model: NeuralNetworkPotential, path: Path) -> list[Path]:
    """Write input.nn, scaling.data, weights.ZZZ.data and lammps.in into directory `path`;
    returns the files written."""
    model = model.at_fidelity()  # a multi-fidelity model at its target
    model.require(export_capability("n2p2"), "writing an n2p2 potential")
    if model.interaction is not None:
        raise MlpotError(
            "this model's atomic energies read messages from neighbouring atoms "
            "(model.interaction), which n2p2 and LAMMPS pair_style hdnnp cannot evaluate; "
            "retrain without model.interaction to export, or run MD with mlpot's ASE calculator"
        )
    elements = n2p2_order(model.elements)
    for element in elements:
        if atomic_numbers[element] > MAX_ATOMIC_NUMBER:
            raise MlpotError(f"n2p2 does not know element {element} (it stops at No, Z = 102)")
    _check_n2p2_types(model.sfset)
    order = {e: n2p2_permutation(model.sfset.functions[e], elements) for e in elements}
    networks = n2p2_networks(model, order)
    statistics, known = _statistics(model, order)
    files = {
        "input.nn": _input_nn(model, elements, order, networks[elements[0]]),
        "scaling.data": scaling_lines([statistics[e] for e in elements]),
        **{
            weights_file(Path(), atomic_numbers[e]).name: weight_lines(networks[e].layers)
            for e in elements
        },
        LAMMPS_SNIPPET: lammps_lines(Path(path), elements, model.sfset.cutoff, known),
    }
    Path(path).mkdir(parents=True, exist_ok=True)
    return [_write(Path(path) / name, lines) for name, lines in files.items()]


def _check_n2p2_types(sfset: SymmetryFunctionSet) -> None:
    foreign = [sf for sfs in sfset.functions.values() for sf in sfs if sf.n2p2_type is None]
    if foreign:
        raise MlpotError(
            f"{len(foreign)} symmetry functions of this model have no n2p2 type (the first: "
            f"'{foreign[0].n2p2_line()}'); n2p2 and LAMMPS pair_style hdnnp need types 2, 3 and "
            "9 only: retrain with descriptors.mixed_shells: false to export"
        )


def _input_nn(model, elements, order, network: N2p2Network) -> list[str]:
    cutoff = model.sfset.cutoff_function
    widths = [len(b) for _, b in network.layers[:-1]]
    lines = [
        f"# n2p2 potential written by mlpot {mlpot.__version__}: energies in eV, lengths in Å.",
        "# No normalisation and no symmetry-function scaling: the networks read the raw",
        "# symmetry functions (scaling.data holds their training range for extrapolation",
        "# warnings); mlpot's preprocessing and energy scale are folded into the weights.",
        f"number_of_elements {len(elements)}",
        f"elements {' '.join(elements)}",
        *(
            f"atom_energy {e} {float(model.reference_energies[model.elements.index(e)])!r}"
            for e in elements
        ),
        f"cutoff_type {cutoff.code} {cutoff.alpha!r}",
        f"global_hidden_layers_short {len(widths)}",
        f"global_nodes_short {' '.join(map(str, widths))}",
        f"global_activation_short {' '.join(network.letters)} l",
    ]
    for e in elements:
        functions = model.sfset.functions[e]
        lines += [f"symfunction_short {functions[k].n2p2_line()}" for k in order[e]]
    return lines


def _statistics(model, order) -> tuple[dict[str, np.ndarray], bool]:
    """(F, 4) min, max, mean, sigma per element in n2p2's order, and whether the range is
    known: min/max from the model's descriptor ranges, else from statistics kept by an n2p2
    import, else unbounded; mean and sigma from such an import, else 0 (n2p2 ignores them
    without scaling)."""
    kept = getattr(model, "metadata", {}).get("n2p2", {}).get("statistics", {})
    ranges = model.descriptor_ranges
    out, known = {}, True
    for element, columns in order.items():
        n = len(columns)
        values = np.zeros((n, 4))
        values[:, 0], values[:, 1] = -np.inf, np.inf
        stored = kept.get(element, {})
        if all(len(stored.get(c, ())) == n for c in COLUMNS):
            values = np.array([stored[c] for c in COLUMNS], dtype=float).T
        if ranges[element].known:
            values[:, 0] = ranges[element].low.detach().double().numpy()
            values[:, 1] = ranges[element].high.detach().double().numpy()
        known = known and bool(np.isfinite(values[:, :2]).all())
        out[element] = values[columns]
    return out, known


def lammps_lines(directory: Path, elements, cutoff: float, known_range: bool) -> list[str]:
    """LAMMPS input lines that load the potential (ML-HDNNP package)."""
    note = (
        "scaling.data holds the training range of each function: extrapolation warnings apply"
        if known_range
        else "the training range of the functions is unknown: scaling.data holds an unbounded "
        "range, so no extrapolation warnings"
    )
    return [
        "# LAMMPS lines for this n2p2 potential (pair_style hdnnp, package ML-HDNNP).",
        "# The files are in eV and Å: with units metal, cflength and cfenergy are 1.",
        f"# The cutoff is the largest symmetry-function cutoff, Å; {note}.",
        "# dir is this directory; pair_coeff maps LAMMPS atom types 1, 2, ... to elements:",
        "# reorder them to match your data file.",
        "units metal",
        f'pair_style hdnnp {cutoff!r} dir "{directory.resolve()}" showew no showewsum 100 '
        "resetew no maxew 1000 cflength 1.0 cfenergy 1.0",
        f"pair_coeff * * {' '.join(elements)}",
    ]


def _write(path: Path, lines: list[str]) -> Path:
    """Write atomically: a temporary file beside `path`, then a rename."""
    return write_text_atomically(path, "\n".join(lines) + "\n")
