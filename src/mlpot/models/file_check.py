"""What a file given as a model really is, before torch tries to unpickle it.

A model file is a torch zip archive. Anything else (a structure file, another code's
potential, a file cut short by a kill or a full disk) gets a message saying what it is and
what to do instead of torch's unpickling advice or an errno.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from mlpot.errors import MlpotError

ZIP_MAGIC = b"PK\x03\x04"
PICKLE_MAGIC = b"\x80"  # torch's legacy (non-zip) format starts with a pickle protocol byte
HEAD_BYTES = 4096


def check_model_file(path: str | Path) -> None:
    """Raise MlpotError when `path` cannot be an mlpot model file, saying what it looks like."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        if not zipfile.is_zipfile(path):  # no end-of-archive record: cut short
            raise MlpotError(
                f"{path}: the model file is incomplete (cut short, e.g. by a kill or a full "
                "disk); use another copy, or the run's checkpoints/latest.pt with --resume"
            )
        return
    if head.startswith(PICKLE_MAGIC):
        return
    raise MlpotError(f"{path}: not an mlpot model file: {_looks_like(path, head)}")


def _looks_like(path: Path, head: bytes) -> str:
    if not head:
        return "the file is empty"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "an unknown binary file; give a model.pt written by `mlpot train`"
    words = text.split()
    if words[:1] == ["ELEM_LIST"]:
        return (f"it is a SIMPLE-NN potential; import it first with `mlpot import {path} "
                "model.pt --format simple-nn`")
    if path.name in ("input.nn", "scaling.data") or path.name.startswith("weights."):
        return (f"it is part of an n2p2 potential; give its directory, or import it with "
                f"`mlpot import {path.parent} model.pt --format n2p2`")
    if words[:1] and words[0].isdigit():
        return "it looks like a structure file (XYZ); give the model first, then the data"
    return "a text file; give a model.pt written by `mlpot train` (or import the potential)"
