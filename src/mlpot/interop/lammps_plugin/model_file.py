"""The potential file of LAMMPS `pair_style mlpot`: text, units metal (eV, Å).

    mlpot_potential 1
    elements N E1 ... EN
    cutoff_function NAME ALPHA               (mlpot.descriptors.cutoffs)
    element E FUNCTIONS LAYERS               (one block per element, in the order above)
    radial NEIGH eta rs rc                   (FUNCTIONS lines: descriptor column c is line c)
    narrow N1 N2 eta lambda zeta rc rs       (G4, n2p2 type 3)
    wide N1 N2 eta lambda zeta rc rs rs2     (G5, n2p2 type 9; on two shells when rs2 != rs)
    range LOW HIGH                           (FUNCTIONS lines, only if the training range is known)
    layer N_IN N_OUT ACTIVATION              (LAYERS times, each followed by N_IN lines of
                                              N_OUT weights W and one line of N_OUT biases b)

Each layer computes f(x W + b); the last one's single output is the atomic energy in eV.
The descriptor preprocessing (scaling, PCA) is folded into the first layer, the energy scale
and the element's reference energy into the last, so the file holds no separate scaling.
Numbers are written with 17 significant digits: the file reproduces the model's float64
numbers exactly. `#` starts a comment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from mlpot.descriptors.cutoffs import CutoffFunction
from mlpot.descriptors.symmetry_functions import (
    AngularG4,
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)
from mlpot.errors import MlpotError
from mlpot.models.activations import ACTIVATIONS, TORCH_ONLY_ACTIVATIONS
from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

VERSION = 1
_NAMES = {cls: name for name, cls in (ACTIVATIONS | TORCH_ONLY_ACTIVATIONS).items()}

Layer = tuple[np.ndarray, np.ndarray, str]  # W (n_in, n_out), b (n_out,), activation name


def check_exportable(model) -> None:
    """Raise MlpotError saying why `model` cannot run in pair_style mlpot, if it cannot."""
    if not isinstance(model.sfset, SymmetryFunctionSet):
        raise MlpotError(
            "this model is not on symmetry functions (SNAP descriptors?): pair_style mlpot "
            "evaluates symmetry-function models; export SNAP models with --format mliap"
        )
    if model.interaction is not None:
        raise MlpotError(
            "this model passes neighbour messages (interaction): an atom's energy then depends "
            "on its neighbours' descriptors, so LAMMPS would need the descriptors of ghost "
            "atoms' neighbours (a second ghost shell); pair_style mlpot does not do this. "
            "Run it with `mlpot md`, or train a model without interaction for LAMMPS"
        )


def folded_layers(model: NeuralNetworkPotential, e: int) -> list[Layer]:
    """Element e's network as float64 layers, preprocessing folded into the first and the
    energy scale and reference energy into the last: E_i = network(G_i) in eV."""
    element = model.elements[e]
    modules = list(model.networks[element].children())
    linears, acts = modules[::2], modules[1::2]
    if len(linears) != len(acts) + 1 or not all(type(m) is nn.Linear for m in linears):
        raise MlpotError(f"the network of {element} is not a stack of dense layers")
    names = []
    for act in acts:
        if type(act) not in _NAMES or (
            isinstance(act, nn.Softplus) and (act.beta != 1 or act.threshold != 20)
        ):
            raise MlpotError(f"the network of {element} uses an activation LAMMPS lacks: {act}")
        names.append(_NAMES[type(act)])
    with torch.no_grad():
        weights = [(lin.weight.double().T, lin.bias.double()) for lin in linears]
        a, c = (t.double() for t in model.scalers[element].affine())
        w0, b0 = weights[0]
        weights[0] = (a @ w0, c @ w0 + b0)
        w1, b1 = weights[-1]
        scale = model.energy_scale.double()
        weights[-1] = (scale * w1, scale * b1 + model.reference_energies[e].double())
    return [
        (w.detach().numpy(), b.detach().numpy(), name)
        for (w, b), name in zip(weights, [*names, "linear"], strict=True)
    ]


def model_lines(model: NeuralNetworkPotential, header: list[str]) -> list[str]:
    """The file's lines for `model` (checked with check_exportable first)."""
    check_exportable(model)
    sfset = model.sfset
    cutoff = sfset.cutoff_function
    lines = [f"# {text}" for text in header] + [
        f"mlpot_potential {VERSION}",
        f"elements {len(sfset.elements)} {' '.join(sfset.elements)}",
        f"cutoff_function {cutoff.kind} {_numbers(cutoff.alpha)}",
    ]
    for e, element in enumerate(sfset.elements):
        layers = folded_layers(model, e)
        functions = sfset.functions[element]
        lines.append(f"element {element} {len(functions)} {len(layers)}")
        lines += [_function_line(sf) for sf in functions]
        if model.has_descriptor_ranges:
            ranges = model.descriptor_ranges[element]
            pairs = zip(ranges.low.tolist(), ranges.high.tolist(), strict=True)
            lines += [f"range {_numbers(lo, hi)}" for lo, hi in pairs]
        for w, b, name in layers:
            lines.append(f"layer {w.shape[0]} {w.shape[1]} {name}")
            lines += [_numbers(*row) for row in w]
            lines.append(_numbers(*b))
    return lines


def _function_line(sf) -> str:
    if isinstance(sf, RadialG2):
        return f"radial {sf.neighbor} {_numbers(sf.eta, sf.rs, sf.cutoff)}"
    e1, e2 = sf.neighbors
    common = f"{e1} {e2} {_numbers(sf.eta, sf.lambda_, sf.zeta, sf.cutoff, sf.rs)}"
    if isinstance(sf, AngularG5):  # AngularG5Mixed included
        return f"wide {common} {_numbers(getattr(sf, 'rs2', sf.rs))}"
    return f"narrow {common}"


def _numbers(*values) -> str:
    """Shortest round-trip decimal text of each value (17 significant digits at most)."""
    return " ".join(repr(float(v)) for v in values)


def file_elements(path: str | Path) -> list[str]:
    """The elements of a potential file, in its order (from its `elements` line)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise MlpotError(f"{path}: cannot read the potential file: {exc}") from exc
    for line in lines:
        fields = line.split("#")[0].split()
        if fields and fields[0] == "elements":
            return fields[2:]
    raise MlpotError(f"{path}: no 'elements' line: not a file of `mlpot export --format lammps`")


def read_model_file(path: Path) -> NeuralNetworkPotential:
    """A model from a pair_style mlpot file: the networks as written (folded), identity
    preprocessing, energy scale 1 and reference energies 0."""
    reader = _Reader(Path(path).read_text(encoding="utf-8").splitlines())
    try:
        return reader.model()
    except (ValueError, IndexError) as exc:
        raise MlpotError(f"{path}, line {reader.line}: {exc}") from exc


class _Reader:
    """Reads the lines in order; errors name the line."""

    def __init__(self, lines: list[str]):
        self.rows = [(n + 1, line.split("#")[0].split()) for n, line in enumerate(lines)]
        self.rows = [(n, fields) for n, fields in self.rows if fields]
        self.pos = 0
        self.line = 0  # of the last line read

    def next(self, keyword: str | None = None) -> list[str]:
        if self.pos >= len(self.rows):
            raise ValueError(f"the file ends where '{keyword or 'numbers'}' was expected")
        number, fields = self.rows[self.pos]
        self.pos += 1
        self.line = number
        if keyword and fields[0] != keyword:
            raise ValueError(f"expected '{keyword}', found '{fields[0]}'")
        return fields

    def model(self) -> NeuralNetworkPotential:
        if self.next("mlpot_potential")[1] != str(VERSION):
            raise ValueError(f"only format version {VERSION} is known")
        elements = tuple(self.next("elements")[2:])
        kind, alpha = self.next("cutoff_function")[1:3]
        blocks = [self._element(element) for element in elements]
        sfset = SymmetryFunctionSet(
            elements, {e: b[0] for e, b in zip(elements, blocks, strict=True)},
            CutoffFunction(kind, float(alpha)),
        )
        specs = {
            e: NetworkSpec(tuple(w.shape[1] for w, _, _ in b[2][:-1]),
                           tuple(name for _, _, name in b[2][:-1]))
            for e, b in zip(elements, blocks, strict=True)
        }
        model = NeuralNetworkPotential(sfset, specs)
        with torch.no_grad():
            for element, (_, ranges, layers) in zip(elements, blocks, strict=True):
                linears = list(model.networks[element].children())[::2]
                for lin, (w, b, _) in zip(linears, layers, strict=True):
                    lin.weight.copy_(torch.from_numpy(w.T))
                    lin.bias.copy_(torch.from_numpy(b))
                if ranges is not None:
                    model.descriptor_ranges[element].low.copy_(torch.from_numpy(ranges[:, 0]))
                    model.descriptor_ranges[element].high.copy_(torch.from_numpy(ranges[:, 1]))
        return model

    def _element(self, element: str) -> tuple:
        _, name, n_functions, n_layers = self.next("element")
        if name != element:
            raise ValueError(f"expected the block of {element}, found {name}")
        functions = tuple(_function(element, self.next()) for _ in range(int(n_functions)))
        ranges = None
        if self.pos < len(self.rows) and self.rows[self.pos][1][0] == "range":
            ranges = np.array([self.next("range")[1:3] for _ in functions], dtype=float)
        layers = []
        for _ in range(int(n_layers)):
            _, n_in, n_out, name = self.next("layer")
            w = np.array([self.next() for _ in range(int(n_in))], dtype=float)
            b = np.array(self.next(), dtype=float)
            layers.append((w.reshape(int(n_in), int(n_out)), b, name))
        return functions, ranges, layers


def _function(center: str, fields: list[str]):
    kind, values = fields[0], [float(v) for v in fields[3 if fields[0] != "radial" else 2:]]
    if kind == "radial":
        return RadialG2(center, fields[1], *values)
    pair = tuple(sorted(fields[1:3]))
    eta, lam, zeta, rc, rs = values[:5]
    if kind == "narrow":
        return AngularG4(center, pair, eta, lam, zeta, rc, rs)
    if kind == "wide" and values[5] == rs:
        return AngularG5(center, pair, eta, lam, zeta, rc, rs)
    if kind == "wide":
        return AngularG5Mixed(center, pair, eta, lam, zeta, rc, *sorted((rs, values[5])))
    raise ValueError(f"'{kind}': expected radial, narrow or wide")
