"""scaling.data (per-function statistics) and n2p2's scaling of the network inputs.

Each line is `element function min max mean [sigma]`, 1-based indices, elements by atomic
number and functions in n2p2's sorted order. The input.nn keywords choose the map (SymFnc::scale):

    none                                 x = G
    scale_symmetry_functions             x = Smin + (Smax - Smin) (G - Gmin) / (Gmax - Gmin)
    center_symmetry_functions            x = G - Gmean
    both of the above                    x = Smin + (Smax - Smin) (G - Gmean) / (Gmax - Gmin)
    scale_symmetry_functions_sigma       x = Smin + (Smax - Smin) (G - Gmean) / Gsigma

with Smin, Smax from scale_min_short / scale_max_short (default 0 and 1). Every one is affine,
x = (G - shift) / scale, which is what mlpot's DescriptorScaler holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlpot.data.errors import location
from mlpot.errors import MlpotError
from mlpot.interop.n2p2.settings import Settings

COLUMNS = ("min", "max", "mean", "sigma")


@dataclass(frozen=True)
class Statistics:
    """(F, 4) min, max, mean, sigma of one element's functions, and the scaling.data line of
    each row (0 where not read from a file)."""

    values: np.ndarray
    lines: tuple[int, ...]


@dataclass(frozen=True)
class ScalingKind:
    name: str  # none, scale, center, scalecenter, sigma
    smin: float = 0.0
    smax: float = 1.0


def read_scaling_kind(settings: Settings) -> ScalingKind:
    """The scaling n2p2 applies, decided as in Mode::setupSymmetryFunctionScaling."""
    scale = settings.has("scale_symmetry_functions")
    center = settings.has("center_symmetry_functions")
    if scale or center:
        name = {(True, False): "scale", (False, True): "center"}.get((scale, center), "scalecenter")
    else:
        name = "sigma" if settings.has("scale_symmetry_functions_sigma") else "none"
    if name in ("none", "center"):
        return ScalingKind(name)
    smin, smax = 0.0, 1.0
    if (entry := settings.get("scale_min_short")) is not None:
        smin = settings.number(entry, 0)
    if (entry := settings.get("scale_max_short")) is not None:
        smax = settings.number(entry, 0)
    if smax == smin:
        raise settings.error(
            settings.get("scale_max_short"),
            "scale_max_short equals scale_min_short",
            "give a non-empty target interval",
        )
    return ScalingKind(name, smin, smax)


def read_scaling_data(path: Path, counts: dict[str, int]) -> dict[str, Statistics]:
    """Statistics per element (`counts`: functions per element, in n2p2's element order)."""
    rows = _data_rows(path)
    out, start = {}, 0
    for e, (element, count) in enumerate(counts.items(), start=1):
        block = rows[start : start + count]
        for f, (line, fields) in enumerate(block, start=1):
            if [_int(text) for text in fields[:2]] != [e, f]:
                raise MlpotError(
                    f"{location(path, line=line)}: expected element {e} ({element}), function "
                    f"{f}, found '{' '.join(fields[:2])}'; a line is missing or out of order"
                )
        if len(block) < count:
            last = rows[-1][0] if rows else None
            raise MlpotError(
                f"{location(path, line=last)}: the file ends after {len(block)} of the "
                f"{count} scaling lines of {element} (element {e}): a scaling line is missing; "
                "use the scaling.data written with these symmetry functions"
            )
        values = np.array([_values(path, line, fields) for line, fields in block])
        out[element] = Statistics(values, tuple(line for line, _ in block))
        start += count
    if len(rows) > start:
        raise MlpotError(
            f"{location(path, line=rows[start][0])}: more scaling lines than the {start} "
            "symmetry functions of input.nn; use the scaling.data of this potential"
        )
    return out


def _data_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise MlpotError(f"'{path}': cannot read it ({err.strerror})") from err
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if fields and not fields[0].startswith("#"):
            rows.append((number, fields))
    return rows


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _values(path: Path, line: int, fields: list[str]) -> list[float]:
    """min, max, mean, sigma (sigma NaN where an old file has none)."""
    if len(fields) not in (5, 6):
        raise MlpotError(
            f"{location(path, line=line)}: {len(fields)} fields; expected "
            "'element function min max mean [sigma]'"
        )
    try:
        values = [float(text) for text in fields[2:]]
    except ValueError:
        raise MlpotError(f"{location(path, line=line)}: not a number in the line") from None
    if np.isnan(values).any() or not np.isfinite(values[2:]).all():
        raise MlpotError(
            f"{location(path, line=line)}: a value that is not a number or an infinite mean "
            f"or sigma ({' '.join(fields[2:])}); the file is damaged: write it again with "
            "n2p2's nnp-scaling"
        )
    return values + [float("nan")] * (4 - len(values))


def scaler_parameters(
    kind: ScalingKind, stats: Statistics, path: Path
) -> tuple[np.ndarray, np.ndarray]:
    """(shift, scale) with x = (G - shift) / scale for one element."""
    gmin, gmax, gmean, gsigma = stats.values.T
    ones = np.ones(len(gmin))
    if kind.name == "none":
        return np.zeros(len(gmin)), ones
    if kind.name == "center":
        return gmean, ones
    width = gsigma if kind.name == "sigma" else gmax - gmin
    bad = np.flatnonzero(~(width > 0))
    if len(bad):
        what = "sigma" if kind.name == "sigma" else "max - min"
        raise MlpotError(
            f"{location(path, line=stats.lines[bad[0]] or None)}: {what} is "
            f"{width[bad[0]]} (function {bad[0] + 1}); n2p2 would divide by it: "
            "remove the constant function or use a scaling without it"
        )
    scale = width / (kind.smax - kind.smin)
    origin = gmin if kind.name == "scale" else gmean
    shift = origin - kind.smin * scale
    bad = np.flatnonzero(~(np.isfinite(shift) & np.isfinite(scale)))
    if len(bad):
        raise MlpotError(
            f"{location(path, line=stats.lines[bad[0]] or None)}: an infinite min or max "
            f"(function {bad[0] + 1}), which the scaling of input.nn needs; write the file "
            "again with n2p2's nnp-scaling"
        )
    return shift, scale


def scaling_lines(statistics: list[np.ndarray]) -> list[str]:
    """scaling.data lines for (F, 4) statistics per element, in n2p2's element order."""
    header = [
        "# Symmetry function scaling data: element, function (n2p2's sorted order),",
        "# min, max, mean and sigma of the function over the training data.",
    ]
    rows = [
        f"{e:4d} {f:5d} " + " ".join(f"{v:24.16E}" for v in row)
        for e, values in enumerate(statistics, start=1)
        for f, row in enumerate(values, start=1)
    ]
    return header + rows
