"""The ML-IAP `descriptor sna` parameter file (LAMMPS manual, "pair_style mliap").

One keyword per line, `#` starts a comment; elems, radelems and welems take one value per
element. Lengths are in Å (LAMMPS "metal" units, mlpot's own: nothing is converted).
"""

from __future__ import annotations

from pathlib import Path

from mlpot.descriptors.lammps.settings import SnapSettings
from mlpot.errors import MlpotError

PER_ELEMENT = {"elems": "elements", "radelems": "radelem", "welems": "wj"}
SCALARS = {"rcutfac": float, "twojmax": int, "rfac0": float, "rmin0": float, "nelems": int}
FLAGS = {flag: flag for flag in SnapSettings.FLAGS}
REQUIRED = ("rcutfac", "twojmax", "nelems", "elems", "radelems", "welems")


def descriptor_lines(settings: SnapSettings) -> list[str]:
    s = settings
    lines = [
        "# SNAP bispectrum for LAMMPS pair_style mliap (descriptor sna), written by mlpot",
        "# units metal: radii in Angstrom",
        f"rcutfac {s.rcutfac!r}",
        f"twojmax {s.twojmax}",
        f"rfac0 {s.rfac0!r}",
        f"rmin0 {s.rmin0!r}",
    ]
    lines += [f"{flag} {int(getattr(s, flag))}" for flag in SnapSettings.FLAGS]
    lines += [
        f"nelems {len(s.elements)}",
        "elems " + " ".join(s.elements),
        "radelems " + " ".join(repr(r) for r in s.radelem),
        "welems " + " ".join(repr(w) for w in s.wj),
    ]
    return lines


def read_descriptor_file(path: Path) -> SnapSettings:
    """SnapSettings from an ML-IAP sna descriptor file; MlpotError naming the line if bad."""
    values: dict[str, object] = {}
    for number, raw in enumerate(_read_text(path).splitlines(), start=1):
        words = raw.split("#", 1)[0].replace('"', " ").replace("'", " ").split()
        if not words:
            continue
        where = f"{path}:{number}"
        values[words[0]] = _parse(words, values.get("nelems"), where)
    missing = [key for key in REQUIRED if key not in values]
    if missing:
        raise MlpotError(
            f"{path}: missing keyword(s) {', '.join(missing)}; "
            "an sna descriptor file needs " + ", ".join(REQUIRED)
        )
    fields = {PER_ELEMENT[k]: v for k, v in values.items() if k in PER_ELEMENT}
    fields |= {k: v for k, v in values.items() if k in SCALARS and k != "nelems"}
    fields |= {k: bool(v) for k, v in values.items() if k in FLAGS}
    try:
        return SnapSettings(**fields)
    except MlpotError as err:
        raise MlpotError(f"{path}: {err}") from None


def _parse(words: list[str], n_elements, where: str):
    key, args = words[0], words[1:]
    if key == "switchinnerflag":
        if args != ["0"]:
            raise MlpotError(f"{where}: switchinnerflag 1 is not supported by mlpot; remove it")
        return 0
    if key in PER_ELEMENT:
        if n_elements is None or len(args) != n_elements:
            raise MlpotError(f"{where}: {key} needs one value per element, after nelems")
        return tuple(args) if key == "elems" else tuple(_number(float, a, where) for a in args)
    if key not in SCALARS and key not in FLAGS:
        known = sorted([*SCALARS, *FLAGS, *PER_ELEMENT])
        raise MlpotError(f"{where}: unknown keyword {key!r}; known: {', '.join(known)}")
    if len(args) != 1:
        raise MlpotError(f"{where}: {key} takes one value, got {len(args)}")
    return _number(SCALARS.get(key, int), args[0], where)


def _number(kind, text: str, where: str):
    try:
        return kind(text)
    except ValueError:
        raise MlpotError(f"{where}: {text!r} is not a valid {kind.__name__}") from None


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise MlpotError(f"{path}: no such file")
    return path.read_text()
