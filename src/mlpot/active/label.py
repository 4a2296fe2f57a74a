"""Labelling: the oracle (any ASE calculator) computes energy, forces and stress of the
selected structures through an executor; every result is written to disk as it arrives.

labels/NNNNN.xyz holds structure NNNNN with its labels (extended XYZ), failures/NNNNN.json
the oracle's error for it. A structure with either file is never labelled again.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import traceback
from collections.abc import Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import PropertyNotImplementedError
from ase.calculators.singlepoint import SinglePointCalculator

from mlpot.active.config import ExecutorConfig, OracleConfig
from mlpot.active.executors import open_executor
from mlpot.active.state import read_structures, write_structures
from mlpot.analysis.output import write_json
from mlpot.errors import MlpotError


def make_oracle(calculator: str | None, factory: str | None, kwargs: dict[str, Any]):
    """A fresh ASE calculator: a universal model when calculator names one (sevennet-0,
    chgnet, ... or a model file; mlpot.universal, its weights loaded once per process), an
    mlpot model file or n2p2 potential directory (mlpot.calculators.load_calculator), else
    get_calculator_class(calculator)(**kwargs), or the function named by factory
    ("module:function") called with kwargs."""
    from mlpot.universal import parse_spec, universal_calculator

    universal = parse_spec(calculator) if calculator is not None else None
    if universal is not None:
        return universal_calculator(universal, **kwargs)
    if calculator is not None and Path(calculator).exists():
        from mlpot.calculators import load_calculator

        return load_calculator(calculator, **kwargs)
    try:
        if calculator is not None:
            from ase.calculators.calculator import get_calculator_class

            return get_calculator_class(calculator)(**kwargs)
        module_name, function_name = str(factory).split(":")
        return getattr(importlib.import_module(module_name), function_name)(**kwargs)
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        name = calculator if calculator is not None else factory
        raise MlpotError(
            f"oracle {name!r} cannot be created ({type(exc).__name__}: {exc}): check "
            "oracle.calculator / oracle.factory and oracle.kwargs in the configuration"
        ) from exc


def label_structure(oracle: dict[str, Any], atoms: Atoms, directory: str) -> dict[str, Any]:
    """Run the oracle on atoms (in `directory` for file-based calculators).

    Returns {"energy": eV, "forces": (N, 3) eV/Å, "stress": (6,) eV/Å^3 or None}, or
    {"error": text} when the oracle fails or returns non-finite values.
    """
    try:
        calc = make_oracle(**oracle)
        if hasattr(calc, "directory"):
            calc.directory = directory
        atoms = atoms.copy()
        atoms.calc = calc
        forces = np.array(atoms.get_forces(), dtype=float)
        energy = float(calc.results.get("free_energy", atoms.get_potential_energy()))
        stress = _stress(atoms)
    except Exception as exc:  # any failure of the oracle is recorded, not raised
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    finally:
        with contextlib.suppress(OSError):  # in-process calculators leave it empty
            os.rmdir(directory)
    if not (np.isfinite(energy) and np.isfinite(forces).all()):
        return {"error": f"oracle returned a non-finite energy ({energy}) or forces"}
    return {"energy": energy, "forces": forces, "stress": stress}


def label_and_keep(
    oracle: dict[str, Any], atoms: Atoms, directory: str, store: LabelStore | None, key: int
) -> dict[str, Any]:
    """label_structure, and the result written into store (when given) under key."""
    result = label_structure(oracle, atoms, directory)
    if store is not None:
        store.write(key, atoms, result)
    return result


def _stress(atoms: Atoms) -> np.ndarray | None:
    if not atoms.pbc.all():
        return None
    try:
        return np.array(atoms.get_stress(voigt=True), dtype=float)
    except PropertyNotImplementedError:
        return None


class LabelStore:
    """labels/ and failures/ of one iteration directory."""

    def __init__(self, directory: Path):
        self.labels = Path(directory) / "labels"
        self.failures = Path(directory) / "failures"

    def done(self) -> set[int]:
        """Keys with a label or a recorded failure."""
        names = [*self.labels.glob("*.xyz"), *self.failures.glob("*.json")]
        return {int(path.stem) for path in names if path.stem.isdigit()}

    def write(self, key: int, atoms: Atoms, result: dict[str, Any]) -> None:
        if "error" in result:
            record = {"key": key, "origin": atoms.info.get("origin", ""), **result}
            write_json(self.failures / f"{key:05d}.json", record)
            return
        labelled = atoms.copy()
        labels = {k: v for k, v in result.items() if v is not None}
        labelled.calc = SinglePointCalculator(labelled, free_energy=result["energy"], **labels)
        write_structures(self.labels / f"{key:05d}.xyz", [labelled])

    def labelled(self) -> list[Atoms]:
        """The labelled structures in key order."""
        paths = sorted(self.labels.glob("*.xyz"))
        return [atoms for path in paths for atoms in read_structures(path)]

    def failed(self) -> list[dict]:
        import json

        return [json.loads(path.read_text()) for path in sorted(self.failures.glob("*.json"))]

    def forget_failures(self) -> None:
        """Drop the failure records, so that those structures are labelled again."""
        for path in self.failures.glob("*.json"):
            path.unlink()


def label_all(
    images: Sequence[Atoms],
    oracle: OracleConfig,
    executor: ExecutorConfig,
    store: LabelStore,
    workdir: Path,
    progress: bool = False,
) -> None:
    """Label every image whose key (its index) is not yet in store, writing each on arrival."""
    from tqdm.auto import tqdm

    todo = [key for key in range(len(images)) if key not in store.done()]
    if not todo:
        return
    spec = oracle.model_dump()
    make_oracle(**spec)  # a misconfigured oracle fails here, once, with a clear message
    # local workers write each label themselves: it is kept even if this process is killed
    keeper = store if executor.kind != "dask" else None
    with open_executor(executor) as pool:
        futures = {
            pool.submit(label_and_keep, spec, images[key], str(workdir / f"{key:05d}"), keeper,
                        key): key
            for key in todo
        }
        for future in tqdm(as_completed(futures), total=len(futures), disable=not progress):
            key = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker itself died (e.g. the oracle crashed it)
                result = {"error": f"{type(exc).__name__}: {exc}"}
            if keeper is None or "error" in result and key not in store.done():
                store.write(key, images[key], result)
    with contextlib.suppress(OSError):  # only file-based oracles leave something there
        os.rmdir(workdir)
