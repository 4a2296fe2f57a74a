"""Reader for mlearn JSON data (Zuo et al., J. Phys. Chem. A 124, 731 (2020)).

The file is a JSON list of records:
    structure: pymatgen Structure.as_dict(); lattice.matrix (3, 3) Å, rows are cell
               vectors; sites[i].xyz Cartesian Å; sites[i].species[0].element
    outputs.energy:         total energy, eV
    outputs.forces:         (N, 3) eV/Å
    outputs.virial_stress:  (6,) VASP stress in kbar, VASP sign (positive =
                            compressive), order xx yy zz xy yz zx
    group, description, tag
The stress is converted here, at the file edge, to ASE's: eV/Å^3, positive =
tensile, Voigt order xx yy zz yz xz xy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from ase.data import atomic_numbers
from ase.units import GPa

from mlpot.data.errors import DataError, location, source_id
from mlpot.data.frame import Frame
from mlpot.data.selection import ALL, selected_indices

KBAR = 0.1 * GPa  # 1 kbar in eV/Å^3
# mlearn order (xx yy zz xy yz zx) -> Voigt order (xx yy zz yz xz xy)
_TO_VOIGT = [0, 1, 2, 4, 5, 3]
_INFO_KEYS = ("description", "tag")


def mlearn_stress_to_ase(virial_stress) -> np.ndarray:
    """(6,) mlearn virial_stress (kbar, compressive positive, xx yy zz xy yz zx)
    -> (6,) ASE stress (eV/Å^3, tensile positive, xx yy zz yz xz xy)."""
    return -KBAR * np.asarray(virial_stress, dtype=float)[_TO_VOIGT]


def read_mlearn(path: str | Path, index: slice = ALL) -> list[Frame]:
    """Read records `index` (a slice of the JSON list) of an mlearn JSON file.

    Frame.group is the record's group; description and tag go to Frame.info;
    Frame.source is "path:i" with i the record's 0-based index. pbc is True.
    """
    records = _load(path)
    return [_frame(records[i], path, i) for i in selected_indices(index, len(records))]


def _load(path: str | Path) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            records = json.load(handle)
    except OSError as err:
        raise DataError(f"'{path}': cannot open it ({err.strerror})") from err
    except json.JSONDecodeError as err:
        raise DataError(
            f"'{path}', line {err.lineno}: not valid JSON ({err.msg}); an mlearn file "
            "is a JSON list of records, is the file complete?"
        ) from err
    if not isinstance(records, list):
        raise DataError(
            f"'{path}': expected a JSON list of mlearn records, found a "
            f"{type(records).__name__}; name the format explicitly if it is not mlearn"
        )
    return records


def _frame(record, path: str | Path, index: int) -> Frame:
    where = location(path, index)
    try:
        structure, outputs = record["structure"], record["outputs"]
        cell = np.array(structure["lattice"]["matrix"], dtype=float)
        sites = structure["sites"]
        positions = np.array([_cartesian(site, cell) for site in sites], dtype=float)
        numbers = np.array([_number(site, where) for site in sites], dtype=int)
        forces = np.array(outputs["forces"], dtype=float) if "forces" in outputs else None
        stress = outputs.get("virial_stress")
        stress = None if stress is None else _stress(stress, where)
        energy = outputs.get("energy")
        energy = None if energy is None else float(energy)
    except (KeyError, TypeError, IndexError) as err:
        raise DataError(
            f"{where}: record is not in mlearn form (missing or malformed {err}); "
            "each record needs structure.lattice.matrix, structure.sites and outputs"
        ) from err
    except ValueError as err:
        raise DataError(f"{where}: a number array is ragged or not numeric ({err})") from err
    return Frame(
        numbers=numbers,
        positions=positions if len(sites) else np.zeros((0, 3)),
        cell=cell,
        pbc=np.ones(3, dtype=bool),
        energy=energy,
        forces=forces,
        stress=stress,
        group=str(record.get("group", "default")),
        source=source_id(path, index),
        info={key: record[key] for key in _INFO_KEYS if key in record},
    )


def _cartesian(site: dict, cell: np.ndarray) -> list[float]:
    if "xyz" in site:
        return site["xyz"]
    return list(np.asarray(site["abc"], dtype=float) @ cell)


def _number(site: dict, where: str) -> int:
    species = site["species"]
    if len(species) != 1:
        raise DataError(
            f"{where}: a site holds {len(species)} species (a disordered structure); "
            "training needs one element per site"
        )
    symbol = species[0]["element"]
    if symbol not in atomic_numbers:
        raise DataError(f"{where}: unknown element '{symbol}' in structure.sites")
    return atomic_numbers[symbol]


def _stress(values, where: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.shape != (6,):
        raise DataError(
            f"{where}: outputs.virial_stress has shape {values.shape}, expected 6 numbers "
            "(xx yy zz xy yz zx, kbar)"
        )
    return mlearn_stress_to_ase(values)
