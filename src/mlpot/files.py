"""Files written atomically: a temporary file beside the target, then a rename.

A reader (or a run resumed after a kill) sees the old file or the new one, never half of one.
Hand-written: atomicwrites, the usual package, is archived, and writers such as ase.io.write and
matplotlib's savefig are given a path here, not an open file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on error it is removed.

    The temporary name keeps the suffix, so writers that choose a format by it still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete the temporary files of `path` left by writers that were killed (their process
    no longer exists); returns them."""
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{path.stem}.tmp*{path.suffix}"):
        pid = tmp.name[len(f".{path.stem}.tmp") : len(tmp.name) - len(path.suffix)]
        if pid.isdigit() and not _running(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def write_text_atomically(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
