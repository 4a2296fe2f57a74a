"""SIMPLE-NN `structure_list` files: groups of data entries with weights.

    # comment
    OUTCAR_relax ::10          <- before any header: group "default", weight 1
    [ bulk : 3.0 ]             <- a group named "bulk" with weight 3.0
    bulk/OUTCAR_{1..3} 100:2000:20
    [ surface ]                <- weight 1.0
    surface/*.xyz
Entry paths are relative to the directory of the list file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from mlpot.data.errors import DataError
from mlpot.data.frame import Frame
from mlpot.data.groups import load_group
from mlpot.data.n2p2_data import FileUnits

DEFAULT_GROUP = "default"
_HEADER = re.compile(r"^\[\s*(?P<name>[^\[\]:]*?)\s*(?::\s*(?P<weight>[^\[\]:]*?)\s*)?\]$")


class GroupSpec(NamedTuple):
    """One group of a structure list: its name, weight and "path [selection]" entries."""

    name: str
    weight: float
    entries: list[str]


def read_structure_list(path: str | Path) -> list[GroupSpec]:
    """Parse a structure_list file into groups, in order of first appearance.

    A group named twice collects the entries of both places (the weights must agree).
    Bad headers and weights raise DataError naming the line.
    """
    groups: dict[str, GroupSpec] = {}
    current = None
    for number, text in _content_lines(path):
        if text.startswith("["):
            name, weight = _parse_header(text, path, number)
            current = _open_group(groups, name, weight, path, number)
        else:
            if current is None:
                current = _open_group(groups, DEFAULT_GROUP, 1.0, path, number)
            current.entries.append(text)
    return list(groups.values())


def _content_lines(path: str | Path) -> list[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = handle.readlines()
    except OSError as err:
        raise DataError(f"structure list '{path}': cannot open it ({err.strerror})") from err
    stripped = ((n, line.split("#", 1)[0].strip()) for n, line in enumerate(raw, start=1))
    return [(n, text) for n, text in stripped if text]


def _parse_header(text: str, path, number: int) -> tuple[str, float]:
    match = _HEADER.match(text)
    if match is None or not match["name"]:
        raise DataError(
            f"structure list '{path}', line {number}: bad group header '{text}'; "
            "write '[ name ]' or '[ name : weight ]'"
        )
    weight_text = match["weight"]
    try:
        weight = 1.0 if weight_text is None else float(weight_text)
    except ValueError:
        weight = math.nan
    if not (math.isfinite(weight) and weight >= 0):
        raise DataError(
            f"structure list '{path}', line {number}: weight '{weight_text}' of group "
            f"'{match['name']}' is not a number >= 0"
        )
    return match["name"], weight


def _open_group(groups: dict[str, GroupSpec], name: str, weight: float, path, number: int):
    group = groups.setdefault(name, GroupSpec(name, weight, []))
    if group.weight != weight:
        raise DataError(
            f"structure list '{path}', line {number}: group '{name}' appears again with "
            f"weight {weight}, earlier {group.weight}; give each group one weight"
        )
    return group


def load_structure_list(
    path: str | Path,
    *,
    format: str | None = None,
    units: FileUnits | None = None,
    elements: Iterable[str] | None = None,
    require_forces: bool = True,
) -> list[Frame]:
    """All frames a structure_list names, with their group names and weights.

    Options as for load_group; an error in an entry names the list file and group.
    """
    base_dir = Path(path).parent
    elements = None if elements is None else list(elements)
    frames = []
    for name, weight, entries in read_structure_list(path):
        try:
            frames += load_group(
                name,
                weight,
                entries,
                base_dir,
                format=format,
                units=units,
                elements=elements,
                require_forces=require_forces,
            )
        except DataError as err:
            raise DataError(f"structure list '{path}', group '{name}': {err}") from err
    return frames
