"""Before training: which frames look wrong, what stays in training, what the automatic
choices (cutoff, radial grid) are made from, and a per-file account of the frames."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mlpot.data.consistency import unit_mismatches
from mlpot.data.errors import DataError, split_source
from mlpot.data.frame import Frame
from mlpot.data.outliers import Outlier, bond_length_problems, find_outliers
from mlpot.data.sanity import check_split, notify
from mlpot.data.stress_offset import estimate_stress_offset

OutlierAction = Literal["keep", "exclude"]
MAX_LISTED = 20  # outlier lines printed; the rest are counted


@dataclass
class ScreenedData:
    """train, validation: the frames to train and validate on; typical: the frames the
    automatic choices are made from (all of them but the outliers); outliers: what was found."""

    train: list[Frame]
    validation: list[Frame]
    typical: list[Frame]
    outliers: list[Outlier]


def screen_training_data(
    train: list[Frame],
    validation: list[Frame],
    outliers: OutlierAction = "keep",
    fraction: float | None = None,
) -> ScreenedData:
    """Report outliers and unit mismatches of train + validation, apply `outliers` ("keep":
    they stay in training, "exclude": they are left out, each said), warn about splits that
    cannot work, and print how many frames of each file are used.

    fraction: the configured validation fraction, for the messages (None: validation files).
    """
    frames = train + validation
    warn_about_units(frames)
    found = find_outliers(frames)
    flagged = {id(o.frame) for o in found}
    report_outliers(found, frames, outliers, len(flagged))
    if outliers == "exclude":
        train = [f for f in train if id(f) not in flagged]
        validation = [f for f in validation if id(f) not in flagged]
        if not train:
            raise DataError(
                "every training frame is an outlier (see the warnings): with data.outliers: "
                "exclude nothing is left to train on; fix the data or use data.outliers: keep"
            )
    account_files(frames, train + validation)
    check_split(len(train), len(validation), fraction)
    typical = [f for f in frames if id(f) not in flagged] or frames
    return ScreenedData(train, validation, typical, found)


def warn_about_data(frames: Sequence[Frame]) -> list[Outlier]:
    """Report outliers, unit mismatches and a stress offset of frames that are used as they
    are (evaluation)."""
    warn_about_units(frames)
    found = find_outliers(frames)
    _list_outliers(found, frames)
    offset = estimate_stress_offset(frames)
    if offset is not None and offset.significant:
        notify(f"the stress labels disagree with the energies by {offset.describe()}: stress "
               "errors against them include it")
    return found


def warn_about_units(frames: Sequence[Frame]) -> None:
    """Warn when distances are far from bonds or energies do not follow the forces."""
    for message in [*bond_length_problems(frames), *unit_mismatches(frames)]:
        notify(message)


def _list_outliers(found: Sequence[Outlier], frames: Sequence[Frame]) -> None:
    """One line per outlier (at most MAX_LISTED), then per group and file holding several."""
    for outlier in found[:MAX_LISTED]:
        notify(outlier.message())
    if len(found) > MAX_LISTED:
        notify(f"... and {len(found) - MAX_LISTED} more outliers")
    flagged, totals = _per_group_file(o.frame for o in found), _per_group_file(frames)
    for (group, path), count in sorted(flagged.items()):
        if count > 1:
            notify(f"group '{group}', '{path}': {count} of {totals[group, path]} frames are "
                   "outliers")


def _per_group_file(frames) -> Counter:
    """Distinct frames per (group, file)."""
    unique = {id(f): f for f in frames}.values()
    return Counter((f.group, split_source(f.source)[0]) for f in unique)


def report_outliers(
    found: Sequence[Outlier], frames: Sequence[Frame], action: OutlierAction, n_frames: int
) -> None:
    """The outliers found among frames (see _list_outliers), then what happens to them."""
    if not found:
        return
    _list_outliers(found, frames)
    if action == "exclude":
        notify(f"these {n_frames} frame(s) are left out of training (data.outliers: exclude)")
        return
    notify(
        f"these {n_frames} frame(s) stay in training (data.outliers: keep) but not in the "
        "automatic cutoff and radial grid; fix the files, leave the frames out of the "
        "selections, or set data.outliers: exclude"
    )


def account_files(read: Sequence[Frame], kept: Sequence[Frame]) -> None:
    """Print, per file, the frames read and the frames used."""
    n_read = Counter(split_source(f.source)[0] for f in {id(f): f for f in read}.values())
    n_kept = Counter(split_source(f.source)[0] for f in {id(f): f for f in kept}.values())
    for path, count in n_read.items():
        print(f"'{path}': {count} frame(s) read, {n_kept.get(path, 0)} used")
