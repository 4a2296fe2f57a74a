"""n2p2 / RuNNer `input.data` files: reader and writer.

One structure per block:
    begin
    comment <free text>
    lattice ax ay az        (three lines, or none for a non-periodic structure)
    atom x y z element charge energy_atom fx fy fz
    energy E
    charge Q
    end
The format has no unit of its own: FileUnits says what one file unit of length
and of energy is (Å, eV by default; BOHR_HARTREE for files in atomic units), and
conversion happens only here. Atomic charges and per-atom energies are not kept
(written as 0); the total charge goes to Frame.info["charge"], the comment to
Frame.info["comment"]. The format carries no stress.
Kept beside ASE's "runnerdata" reader, whose errors name no line and which splits at any "begin",
also one inside a comment ("comment run from the beginning" reads as an empty structure).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase.data import atomic_numbers, chemical_symbols
from ase.units import Bohr, Hartree

from mlpot.data.errors import DataError, describe_source, location, source_id
from mlpot.data.frame import Frame
from mlpot.data.selection import ALL, selected_indices


@dataclass(frozen=True)
class FileUnits:
    """Units of a file format without units of its own.

    length: Å per file length unit; energy: eV per file energy unit.
    Forces are in file energy / file length.
    """

    length: float = 1.0
    energy: float = 1.0


ANGSTROM_EV = FileUnits()
BOHR_HARTREE = FileUnits(length=Bohr, energy=Hartree)

_FIELDS = {"lattice": 4, "atom": 10, "energy": 2, "charge": 2}


@dataclass
class _Block:
    """One begin ... end block as read, in file units."""

    path: str | Path
    frame: int
    line: int
    comment: str = ""
    lattice: list[list[float]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    positions: list[list[float]] = field(default_factory=list)
    forces: list[list[float]] = field(default_factory=list)
    energy: float | None = None
    charge: float = 0.0

    def error(self, line: int, problem: str, fix: str) -> DataError:
        """A DataError at `line` of this block's file."""
        return DataError(f"{location(self.path, self.frame, line)}: {problem}; {fix}")


def read_n2p2_data(
    path: str | Path, index: slice = ALL, units: FileUnits = ANGSTROM_EV
) -> list[Frame]:
    """Read structures `index` (a slice) of an input.data file, converting from `units`.

    Frame.source is "path:i" with i the 0-based index of the block in the file.
    Syntax errors raise DataError naming the line.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            blocks = list(_blocks(handle, path))
    except OSError as err:
        raise DataError(f"'{path}': cannot open it ({err.strerror})") from err
    return [_frame(blocks[i], units) for i in selected_indices(index, len(blocks))]


def _blocks(lines: Iterable[str], path: str | Path) -> Iterator[_Block]:
    block: _Block | None = None
    count = 0
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        keyword = fields[0]
        if keyword == "begin":
            if block is not None:
                problem = f"'begin' again before the 'end' of the frame from line {block.line}"
                raise block.error(number, problem, "add 'end'")
            block = _Block(path=path, frame=count, line=number)
        elif block is None:
            raise DataError(
                f"{location(path, count, number)}: '{keyword}' outside a begin ... end "
                "block; every structure starts with 'begin'"
            )
        elif keyword == "end":
            _check_complete(block, number)
            yield block
            block, count = None, count + 1
        else:
            _add(block, keyword, fields, line, number)
    if block is not None:
        raise block.error(block.line, "no 'end'", "is the file truncated?")


def _add(block: _Block, keyword: str, fields: list[str], line: str, number: int) -> None:
    if keyword == "comment":
        block.comment = line.strip()[len("comment") :].strip()
        return
    if keyword not in _FIELDS:
        fix = "expected begin, comment, lattice, atom, energy, charge or end"
        raise block.error(number, f"unknown keyword '{keyword}'", fix)
    if len(fields) != _FIELDS[keyword]:
        problem = f"'{keyword}' line has {len(fields) - 1} values"
        raise block.error(number, problem, f"expected {_FIELDS[keyword] - 1}")
    values = _floats(fields[1:4] if keyword == "atom" else fields[1:], block, number)
    if keyword == "lattice":
        block.lattice.append(values)
    elif keyword == "energy":
        block.energy = values[0]
    elif keyword == "charge":
        block.charge = values[0]
    else:
        block.numbers.append(_atomic_number(fields[4], block, number))
        block.positions.append(values)
        block.forces.append(_floats(fields[7:10], block, number))


def _floats(texts: list[str], block: _Block, number: int) -> list[float]:
    try:
        return [float(text) for text in texts]
    except ValueError:
        raise block.error(number, f"not a number in {' '.join(texts)!r}", "fix it") from None


def _atomic_number(symbol: str, block: _Block, number: int) -> int:
    if symbol not in atomic_numbers or symbol == "X":
        fix = "the 5th field of an atom line is the element symbol"
        raise block.error(number, f"unknown element '{symbol}'", fix)
    return atomic_numbers[symbol]


def _check_complete(block: _Block, end_line: int) -> None:
    if len(block.lattice) not in (0, 3):
        fix = "a periodic structure needs 3, a molecule none"
        raise block.error(block.line, f"{len(block.lattice)} lattice lines", fix)
    if block.energy is None:
        problem = f"no 'energy' line before 'end' (line {end_line})"
        raise block.error(block.line, problem, "add the total energy")


def _frame(block: _Block, units: FileUnits) -> Frame:
    periodic = bool(block.lattice)
    return Frame(
        numbers=np.array(block.numbers, dtype=int),
        positions=np.array(block.positions, dtype=float).reshape(-1, 3) * units.length,
        cell=np.array(block.lattice if periodic else np.zeros((3, 3)), dtype=float) * units.length,
        pbc=np.full(3, periodic),
        energy=block.energy * units.energy,
        forces=np.array(block.forces, dtype=float).reshape(-1, 3) * (units.energy / units.length),
        source=source_id(block.path, block.frame),
        info={"comment": block.comment, "charge": block.charge},
    )


def write_n2p2_data(
    path: str | Path, frames: Iterable[Frame], units: FileUnits = ANGSTROM_EV
) -> None:
    """Write frames to an input.data file in `units`.

    Every frame needs an energy and forces; it must be fully periodic or not at all.
    The comment line is Frame.info["comment"], else Frame.source.
    """
    text = "".join(_block_text(frame, units) for frame in frames)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _block_text(frame: Frame, units: FileUnits) -> str:
    _check_writable(frame)
    comment = " ".join(str(frame.info.get("comment") or frame.source).split())
    lines = ["begin", f"comment {comment}".rstrip()]
    if frame.pbc.all():
        lines += ["lattice " + _numbers(vector / units.length) for vector in frame.cell]
    force_unit = units.energy / units.length
    for z, position, force in zip(frame.numbers, frame.positions, frame.forces, strict=True):
        lines.append(
            f"atom {_numbers(position / units.length)} {chemical_symbols[z]} "
            f"{0.0:.1f} {0.0:.1f} {_numbers(force / force_unit)}"
        )
    lines.append(f"energy {_numbers([frame.energy / units.energy])}")
    lines.append(f"charge {_numbers([frame.info.get('charge', 0.0)])}")
    return "\n".join(lines + ["end"]) + "\n"


def _numbers(values) -> str:
    return " ".join(f"{float(v):.16e}" for v in values)


def _check_writable(frame: Frame) -> None:
    where = describe_source(frame.source) or f"frame '{frame.source}'"
    if frame.pbc.any() and not frame.pbc.all():
        raise DataError(
            f"{where}: periodic in some directions only (pbc={frame.pbc.tolist()}); n2p2 "
            "input.data holds fully periodic structures or molecules"
        )
    if frame.energy is None or frame.forces is None:
        raise DataError(f"{where}: input.data needs an energy and forces for every structure")
    if np.shape(frame.forces) != (len(frame), 3):
        raise DataError(
            f"{where}: forces have shape {np.shape(frame.forces)}, expected ({len(frame)}, 3)"
        )
