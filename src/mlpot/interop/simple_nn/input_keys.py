"""The keys of a SIMPLE-NN input.yaml: look-ups that remember what was used, and a warning for
every key that was not (naming the key and why mlpot has no use for it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlpot.errors import MlpotError

_INTERMEDIATE = "SIMPLE-NN's intermediate files; mlpot writes none"
_REASONS = {
    "generate_features": "mlpot computes descriptors while training",
    "preprocess": "mlpot fits scaling and PCA while training",
    "train_model": "the mlpot configuration always describes a training run",
    "refdata_format": "mlpot detects the format of each data file",
    "read_stress": "mlpot reads stresses wherever a data file has them",
    "shuffle": "mlpot shuffles the training set every epoch",
    "shuffle_dataloader": "mlpot shuffles the training set every epoch",
    "weight_initializer": "mlpot initialises the networks its own way (seeded)",
    "min_whiten_level": "mlpot whitens with its own floor on the PCA variances",
    "pca_min_whiten_level": "mlpot whitens with its own floor on the PCA variances",
    "weight_modifier": "mlpot applies no modifier to GDF weights",
    "scale_width": "mlpot scales min-max to [0, 1] and mean-std to unit width",
    "scale_scale": "mlpot scales min-max to [0, 1] and mean-std to unit width",
    "scale_rho": "mlpot has no uniform-gas scaling",
    "loss_scale": "a common factor of the loss; with Adam it changes nothing",
    "use_gpu": "set training.device in the mlpot configuration instead",
    "GPU_number": "set training.device in the mlpot configuration instead",
}
for _key in (
    "compress_outcar save_directory save_list absolute_path dx_save_sparse data_list train_list "
    "valid_list test_list ref_list data_per_tfrecord remain_pickle num_parallel_calls "
    "add_atom_idx cache"
).split():
    _REASONS[_key] = _INTERMEDIATE

# keys that ask for nothing when false or empty: no warning then
_OFF_IS_DEFAULT = {
    "dropout",
    "continue",
    "add_NNP_ref",
    "train_atomic_E",
    "test",
    "full_batch",
    "print_structure_rmse",
    "NNP_to_pickle",
    "clear_prev_status",
    "clear_prev_optimizer",
    "energy_criteria",
    "force_criteria",
    "stress_criteria",
    "save_criteria",
    "decay_rate",
    "atomic_weights",
    "calc_atomic_weights",
    "use_atomic_weights",
    "weight_modifier",
}


class InputKeys:
    """The sections of an input.yaml; `get` marks a key as used."""

    def __init__(self, data: Any, path: Path):
        if not isinstance(data, Mapping):
            raise MlpotError(f"{path}: not a SIMPLE-NN input.yaml (expected a mapping of keys)")
        self.data = data
        self.path = path
        self.used: set[tuple[str, ...]] = set()
        self.notes: list[str] = []

    def section(self, name: str) -> Mapping:
        value = self.data.get(name) or {}
        if not isinstance(value, Mapping):
            raise MlpotError(f"{self.path}: '{name}' must be a mapping of keys")
        return value

    def get(self, *locations: tuple[str, ...], default: Any = None) -> Any:
        """The value at the first of `locations` ((key,) or (section, key)) that is present."""
        location = self.where(*locations)
        *sections, key = location
        where = self.section(sections[0]) if sections else self.data
        if key not in where:
            return default
        self.used.add(location)
        return where[key]

    def where(self, *locations: tuple[str, ...]) -> tuple[str, ...]:
        """The first of `locations` present in the file (the first one if none is)."""
        for location in locations:
            *sections, key = location
            if key in (self.section(sections[0]) if sections else self.data):
                return location
        return locations[0]

    def note(self, location: tuple[str, ...], message: str) -> None:
        """Warn about a used key whose value mlpot follows only in part."""
        self.notes.append(f"{self.path}: '{'.'.join(location)}' {message}")

    def warnings(self) -> list[str]:
        """The notes, then one line per key present in the file but not used."""
        lines = list(self.notes)
        for location, value in self._leaves():
            if location in self.used or (location[-1] in _OFF_IS_DEFAULT and not value):
                continue
            if location == ("neural_network", "train") and value is True:
                continue
            reason = _REASONS.get(location[-1], "mlpot has no equivalent setting")
            lines.append(f"{self.path}: '{'.'.join(location)}' is ignored: {reason}")
        return lines

    def _leaves(self):
        for key, value in self.data.items():
            if isinstance(value, Mapping) and key not in ("params",):
                for inner, inner_value in value.items():
                    yield (str(key), str(inner)), inner_value
            else:
                yield (str(key),), value

    def fail(self, location: tuple[str, ...], message: str) -> MlpotError:
        return MlpotError(f"{self.path}: '{'.'.join(location)}' {message}")
