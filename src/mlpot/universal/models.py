"""Universal pretrained potentials named or given as a file, resolved to ASE calculators.

Weights come only from the installed packages or from the given file: a name is mapped to the
file its package ships (sevenn, chgnet), and that file is loaded; nothing is downloaded.

    sevennet-0, sevennet-mf-0[:FIDELITY], sevennet-l3i5     sevenn (SevenNet-0 of 11 Jul 2024)
    chgnet, chgnet-0.3.0                                   chgnet (CHGNet 0.3.0)
    PATH[:FIDELITY]                                        a SevenNet checkpoint, a CHGNet
                                                           model file or a MACE model file
                                                           (mace-torch), told apart by content
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpot.errors import MlpotError

EXTRA = "pip install 'mlpot[universal]'"

# name -> (kind, the package that ships the weights, path of the file inside that package)
PRETRAINED: dict[str, tuple[str, str, str]] = {
    "sevennet-0": ("sevennet", "sevenn", "pretrained_potentials/SevenNet_0__11Jul2024/"
                   "checkpoint_sevennet_0.pth"),
    "sevennet-mf-0": ("sevennet", "sevenn", "pretrained_potentials/SevenNet_MF_0/"
                      "checkpoint_sevennet_mf_0.pth"),
    "sevennet-l3i5": ("sevennet", "sevenn", "pretrained_potentials/SevenNet_l3i5/"
                      "checkpoint_l3i5.pth"),
    "chgnet": ("chgnet", "chgnet", "pretrained/0.3.0/chgnet_0.3.0_e29f68s314m37.pth.tar"),
}
ALIASES = {"7net-0": "sevennet-0", "7net-mf-0": "sevennet-mf-0", "7net-l3i5": "sevennet-l3i5",
           "chgnet-0.3.0": "chgnet"}
# the package each kind of model needs, and how to get it
PACKAGES = {"sevennet": ("sevenn", EXTRA), "chgnet": ("chgnet", EXTRA),
            "mace": ("mace", "pip install mace-torch")}


@dataclass(frozen=True)
class UniversalSpec:
    """A universal model to load: its kind ("sevennet", "chgnet", "mace"), the weights file,
    the fidelity (SevenNet's modal) to predict at, or None for the model's default, and the
    name it was given by."""

    kind: str
    name: str
    package: str | None = None  # the package shipping the weights, for a shipped model
    inside: str | None = None  # the weights file's path inside that package
    file: Path | None = None  # or a local weights file
    fidelity: str | None = None

    @property
    def path(self) -> Path:
        """The weights file (the package's is located without importing the package)."""
        if self.file is not None:
            return self.file
        return package_dir(str(self.package), self.name) / str(self.inside)


def parse_spec(spec: str | Path) -> UniversalSpec | None:
    """The universal model `spec` names, or None when it names none (an mlpot model file, an
    n2p2 directory, an ASE calculator name: left to their own loaders)."""
    text = str(spec)
    found = _lookup(text, None)
    if found is None and ":" in text:
        base, _, fidelity = text.rpartition(":")
        found = _lookup(base, fidelity or None)
    return found


def _lookup(name: str, fidelity: str | None) -> UniversalSpec | None:
    key = ALIASES.get(name.lower(), name.lower())
    if key in PRETRAINED:
        kind, package, inside = PRETRAINED[key]
        return UniversalSpec(kind, key, package=package, inside=inside, fidelity=fidelity)
    path = Path(name)
    kind = sniff_model_file(path) if path.is_file() else None
    if kind in PACKAGES:
        return UniversalSpec(str(kind), name, file=path, fidelity=fidelity)
    return None


def is_universal(spec: str | Path) -> bool:
    """Whether `spec` names a universal model (see the module docstring)."""
    return parse_spec(spec) is not None


def sniff_model_file(path: Path) -> str | None:
    """"mlpot", "sevennet", "chgnet" or "mace" for a torch archive of that kind (read from the
    archive's pickle bytes, nothing is unpickled); None for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if n.endswith("/data.pkl")), None)
            data = archive.read(name) if name else b""
    except (OSError, zipfile.BadZipFile):
        return None
    if b"mlpot-model" in data:
        return "mlpot"
    if b"model_state_dict" in data and b"sevenn" in data:
        return "sevennet"
    if b"model_args" in data and b"state_dict" in data:
        return "chgnet"
    if b"mace.modules" in data:
        return "mace"
    return None


def package_dir(package: str, name: str) -> Path:
    """Where `package` is installed; MlpotError naming the extra when it is not."""
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        install = EXTRA if package in ("sevenn", "chgnet") else f"pip install {package}"
        raise MlpotError(f"universal model {name!r} needs the {package} package: {install}")
    return Path(next(iter(found.submodule_search_locations)))


def universal_calculator(spec: str | Path | UniversalSpec, device: str = "cpu", **kwargs: Any):
    """An ASE calculator (energy eV, forces eV/Å, stress eV/Å^3 with ASE's sign) for the
    universal model `spec` names. kwargs go to the package's calculator. The weights are
    loaded once per process and shared by the calculators made from them."""
    parsed = spec if isinstance(spec, UniversalSpec) else parse_spec(spec)
    if parsed is None:
        raise MlpotError(
            f"{spec!r} is not a universal model: give one of {', '.join(PRETRAINED)} or a "
            "SevenNet, CHGNet or MACE model file"
        )
    path = parsed.path
    if not path.is_file():
        raise MlpotError(
            f"universal model {parsed.name!r}: its weights {path} are missing from the "
            "installed package (this mlpot never downloads weights): reinstall the package"
        )
    _require(parsed)
    return MAKERS[parsed.kind](parsed, path, device, kwargs)


def _require(spec: UniversalSpec) -> None:
    package, install = PACKAGES[spec.kind]
    if importlib.util.find_spec(package) is None:
        raise MlpotError(f"universal model {spec.name!r} needs the {package} package: {install}")


@functools.lru_cache(maxsize=4)
def _sevennet_model(path: str) -> tuple[Any, dict]:
    from sevenn.util import load_checkpoint  # a file path: sevenn downloads nothing

    checkpoint = load_checkpoint(path)
    model = checkpoint.build_model()
    model.set_is_batch_data(False)
    return model, checkpoint.config


def _sevennet(spec: UniversalSpec, path: Path, device: str, kwargs: dict):
    from sevenn.calculator import SevenNetCalculator

    model, config = _sevennet_model(str(path))
    fidelities = list(getattr(model, "modal_map", None) or {})
    fidelity = spec.fidelity
    if fidelities and fidelity is None:
        fidelity = config.get("default_modal") or _no_fidelity(spec, fidelities)
    if fidelity is not None and fidelity not in fidelities:
        choices = ", ".join(fidelities) if fidelities else "none: it has one fidelity"
        raise MlpotError(
            f"universal model {spec.name!r} has no fidelity {fidelity!r} (it has {choices})"
        )
    with _quiet():
        return SevenNetCalculator(
            model, file_type="model_instance", device=device, modal=fidelity, **kwargs
        )


def _no_fidelity(spec: UniversalSpec, fidelities: list[str]) -> str:
    raise MlpotError(
        f"universal model {spec.name!r} is multi-fidelity: name one, e.g. "
        f"{spec.name}:{fidelities[0]} (it has {', '.join(fidelities)})"
    )


@functools.lru_cache(maxsize=4)
def _chgnet_model(path: str, shipped: bool) -> Any:
    from chgnet.model.model import CHGNet

    with _quiet():
        if shipped:  # read as CHGNet.load reads its 0.3.0 weights
            return CHGNet.from_file(path, mlp_out_bias=False, version="0.3.0")
        return CHGNet.from_file(path)


def _chgnet(spec: UniversalSpec, path: Path, device: str, kwargs: dict):
    from chgnet.model.dynamics import CHGNetCalculator

    _one_fidelity(spec)
    model = _chgnet_model(str(path), spec.file is None)
    with _quiet():
        return CHGNetCalculator(model=model, use_device=device, **kwargs)


def _mace(spec: UniversalSpec, path: Path, device: str, kwargs: dict):
    from mace.calculators import MACECalculator

    _one_fidelity(spec)
    kwargs.setdefault("default_dtype", "float64")
    return MACECalculator(model_paths=str(path), device=device, **kwargs)


def _one_fidelity(spec: UniversalSpec) -> None:
    if spec.fidelity is not None:
        raise MlpotError(
            f"universal model {spec.name!r} has one fidelity: drop ':{spec.fidelity}'"
        )


@contextlib.contextmanager
def _quiet():
    """Silence what the packages print while loading (device and parameter counts)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


MAKERS = {"sevennet": _sevennet, "chgnet": _chgnet, "mace": _mace}
