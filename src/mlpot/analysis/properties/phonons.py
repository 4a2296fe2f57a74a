"""Harmonic phonons by finite displacements (phonopy): band structure, DOS, imaginary modes.

phonopy is an optional extra (pip install "mlpot[analysis]"), imported only here. Forces
are in eV/Å, lengths in Å and masses in amu, which phonopy turns into frequencies in THz;
imaginary frequencies are reported as negative numbers, as phonopy does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from mlpot.errors import MlpotError

IMAGINARY_TOLERANCE_THZ = 0.05  # frequencies below -this are reported as imaginary


@dataclass
class PhononResult:
    """Frequencies (THz) along a path through the Brillouin zone of the primitive cell.

    distance: (Q,) path coordinate (1/Å); frequencies: (Q, 3N) ascending per q-point
    special_distance: (S,) and special_labels: S labels of the special points on the path
    special_frequencies: label -> (3N,) frequencies at that special point
    dos_frequencies, dos: (M,) total density of states on a q-point mesh (states/THz per
        primitive cell)
    mesh_minimum: lowest frequency on the mesh (THz)
    """

    distance: np.ndarray
    frequencies: np.ndarray
    special_distance: np.ndarray
    special_labels: list[str]
    special_frequencies: dict[str, np.ndarray]
    dos_frequencies: np.ndarray
    dos: np.ndarray
    mesh_minimum: float

    def imaginary(self) -> list[dict]:
        """Path points with a frequency below -IMAGINARY_TOLERANCE_THZ."""
        lowest = self.frequencies[:, 0]
        return [
            {"distance": float(self.distance[q]), "frequency_THz": float(lowest[q])}
            for q in np.flatnonzero(lowest < -IMAGINARY_TOLERANCE_THZ)
        ]

    def summary(self) -> dict:
        return {
            "max_frequency_THz": float(self.frequencies.max()),
            "min_frequency_THz": float(min(self.frequencies.min(), self.mesh_minimum)),
            "frequencies_THz": {k: v.tolist() for k, v in self.special_frequencies.items()},
        }

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "imaginary_modes": self.imaginary(),
            "path": {
                "distance": self.distance.tolist(),
                "frequencies_THz": self.frequencies.tolist(),
                "special_distance": self.special_distance.tolist(),
                "special_labels": self.special_labels,
            },
            "dos": {
                "frequency_THz": self.dos_frequencies.tolist(),
                "states_per_THz": self.dos.tolist(),
            },
        }

    def warnings(self) -> list[str]:
        lowest = min(self.frequencies.min(), self.mesh_minimum)
        if lowest >= -IMAGINARY_TOLERANCE_THZ:
            return []
        return [
            f"imaginary modes: lowest frequency {lowest:.3g} THz "
            f"({len(self.imaginary())} points of the path): the structure is unstable or "
            "not at equilibrium"
        ]


def require_phonopy():
    """The phonopy module, or an error saying which extra to install."""
    try:
        import phonopy
    except ImportError as exc:
        raise MlpotError(
            'phonons need phonopy, which is not installed: pip install "mlpot[analysis]"'
        ) from exc
    return phonopy


def phonon_bands(
    atoms: Atoms,
    calc,
    *,
    supercell: tuple[int, int, int] = (2, 2, 2),
    displacement: float = 0.01,
    path: str | None = None,
    points: int = 150,
    mesh: int = 12,
) -> PhononResult:
    """Phonons of atoms (not modified) from forces of displaced supercells.

    path: special points of ASE's bandpath (e.g. "GXWKGLUWLK,UX"; default: ASE's standard
    path for the lattice of the primitive cell phonopy finds); points along the path;
    mesh: q-points per direction of the Gamma-centred DOS mesh; displacement in Å.
    """
    phonopy = require_phonopy()
    from ase.cell import Cell
    from phonopy.structure.atoms import PhonopyAtoms

    if not np.all(atoms.pbc) or atoms.cell.rank < 3:
        raise MlpotError(
            "phonons need a structure periodic along three cell vectors; this "
            f"one has pbc={atoms.pbc.tolist()}"
        )
    unit = PhonopyAtoms(
        symbols=atoms.get_chemical_symbols(),
        cell=atoms.cell.array,
        scaled_positions=atoms.get_scaled_positions(),
        masses=atoms.get_masses(),
    )
    # the band path is that of the primitive cell phonopy finds, whatever cell was given
    with warnings.catch_warnings():  # phonopy 4 warns that "auto" is not v3's default
        warnings.filterwarnings("ignore", message="primitive_matrix defaulted")
        phonon = phonopy.Phonopy(unit, supercell_matrix=np.diag(supercell), primitive_matrix="auto")
    phonon.generate_displacements(distance=displacement)
    phonon.forces = [_forces(displaced, calc) for displaced in phonon.supercells_with_displacements]
    phonon.produce_force_constants()
    cell = Cell(phonon.primitive.cell)
    try:
        bandpath = cell.bandpath(path, npoints=points)
    except (ValueError, KeyError) as exc:
        raise MlpotError(
            f"band path {path!r}: {exc}: use special points of this lattice "
            f"({''.join(cell.bandpath(npoints=0).special_points)})"
        ) from exc
    phonon.run_qpoints(bandpath.kpts)
    frequencies = np.sort(phonon.qpoints.frequencies, axis=1)
    distance, special_distance, labels = bandpath.get_linear_kpoint_axis()
    phonon.run_qpoints([bandpath.special_points[label] for label in sorted(set(labels))])
    special = dict(
        zip(sorted(set(labels)), np.sort(phonon.qpoints.frequencies, axis=1), strict=True)
    )
    phonon.run_mesh([mesh] * 3, is_gamma_center=True)
    phonon.run_total_dos()
    return PhononResult(
        distance,
        frequencies,
        np.asarray(special_distance),
        list(labels),
        special,
        np.asarray(phonon.total_dos.frequency_points),
        np.asarray(phonon.total_dos.dos),
        float(np.min(phonon.mesh.frequencies)),
    )


def _forces(displaced, calc) -> np.ndarray:
    supercell = Atoms(
        displaced.symbols,
        cell=displaced.cell,
        pbc=True,
        scaled_positions=displaced.scaled_positions,
    )
    supercell.calc = calc
    return supercell.get_forces()


def plot_phonons(comparison, path) -> None:
    """Band structure and DOS: the model in solid lines, a reference calculator dashed."""
    from mlpot.analysis.properties.plotting import MODEL_COLOR, REFERENCE_COLOR, new_figure, save

    figure, (bands_ax, dos_ax) = new_figure(2)
    model = comparison.model
    curves = [(model, comparison.model_label, MODEL_COLOR, "-")]
    if comparison.reference is not None:
        curves.append((comparison.reference, comparison.reference_label, REFERENCE_COLOR, "--"))
    for result, label, color, style in curves:
        lines = bands_ax.plot(result.distance, result.frequencies, style, color=color, lw=1)
        lines[0].set_label(label)
        dos_ax.plot(result.dos, result.dos_frequencies, style, color=color, label=label)
    for x in model.special_distance:
        bands_ax.axvline(x, color="0.7", lw=0.5)
    bands_ax.axhline(0.0, color="0.5", lw=0.5)
    bands_ax.set_xticks(*_tick_labels(model.special_distance, model.special_labels))
    bands_ax.set_xlim(model.distance[0], model.distance[-1])
    bands_ax.set_ylabel("frequency (THz)")
    bands_ax.set_title("phonon band structure")
    bands_ax.legend(fontsize="small")
    dos_ax.set_ylim(bands_ax.get_ylim())
    dos_ax.set_xlabel("DOS (states/THz/cell)")
    dos_ax.set_title("phonon density of states")
    dos_ax.legend(fontsize="small")
    save(figure, path)


def _tick_labels(positions: np.ndarray, labels: list[str]) -> tuple[list[float], list[str]]:
    """One tick per distinct position, path breaks as "K|U", G as Gamma."""
    ticks: list[float] = []
    names: list[str] = []
    for x, label in zip(positions, labels, strict=True):
        label = "Γ" if label == "G" else label
        if ticks and np.isclose(ticks[-1], x):
            names[-1] += f"|{label}"
        else:
            ticks.append(float(x))
            names.append(label)
    return ticks, names
