"""Every `mlpot analyze` property command end to end with a tiny mlpot model (the Morse pair
model of conftest.py), against EMT or a numbers file; JSON numbers and plots checked."""

import json
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from mlpot.analysis.properties.eos import equation_of_state
from mlpot.calculators import load_calculator
from mlpot.cli.main import main
from mlpot.simulation.md import run_md

pytest.importorskip("matplotlib")
FIXTURES = Path(__file__).parents[2] / "fixtures" / "properties"


def run_analysis(*argv):
    assert main(["analyze", *map(str, argv)]) == 0
    out = Path(argv[argv.index("--out") + 1])
    name = argv[0]
    plot = out / f"{name}.png"
    assert plot.stat().st_size > 10_000  # a drawn figure, not an empty canvas
    return json.loads((out / f"{name}.json").read_text())


def check_against_reference(record):
    """The comparison is model minus reference for every number both have."""
    assert record["reference"]["kind"] == "calculator"
    for key, entry in record["comparison"].items():
        if isinstance(entry["model"], float):
            assert entry["model"] == record["summary"][key]
            assert entry["reference"] == record["reference"]["summary"][key]
            assert entry["difference"] == pytest.approx(entry["model"] - entry["reference"])


def test_eos(pair_model_file, pair_al_files, tmp_path):
    # the model file as its own reference (EMT Al's minimum, a = 4.05 Å, is outside the range)
    record = run_analysis(
        "eos",
        pair_model_file,
        pair_al_files["cubic"],
        "--reference",
        pair_model_file,
        "--out",
        tmp_path,
    )
    atoms = bulk("Al", "fcc", a=4.267, cubic=True)
    direct = equation_of_state(atoms, load_calculator(pair_model_file))
    assert record["summary"] == pytest.approx(direct.summary())
    assert record["summary"]["volume_A3_per_atom"] == pytest.approx(4.267**3 / 4, rel=0.01)
    assert record["comparison"]["bulk_modulus_GPa"]["difference"] == 0.0
    check_against_reference(record)
    assert record["warnings"] == []


def test_elastic_with_a_numbers_file(pair_model_file, pair_al_files, tmp_path):
    numbers = tmp_path / "al.json"
    numbers.write_text('{"elastic": {"C11_GPa": 107.3, "C44_GPa": 28.3}}')
    record = run_analysis(
        "elastic",
        pair_model_file,
        pair_al_files["cubic"],
        "--reference",
        numbers,
        "--out",
        tmp_path,
    )
    summary = record["summary"]
    assert summary["C12_GPa"] == pytest.approx(summary["C44_GPa"], rel=0.02)  # Cauchy relation
    assert np.array(record["details"]["stiffness_GPa"]).shape == (6, 6)
    assert record["reference"]["kind"] == "numbers"
    assert set(record["comparison"]) == {"C11_GPa", "C44_GPa"}
    assert record["comparison"]["C11_GPa"]["difference"] == pytest.approx(
        summary["C11_GPa"] - 107.3
    )


def test_vacancy(pair_model_file, pair_al_files, tmp_path):
    record = run_analysis(
        "vacancy",
        pair_model_file,
        pair_al_files["cubic"],
        "--supercell",
        2,
        2,
        2,
        "--reference",
        "emt",
        "--out",
        tmp_path,
    )
    details = record["details"]
    # a pair potential: removing an atom breaks its bonds, E_f(unrelaxed) = -E/N
    assert record["summary"]["unrelaxed_formation_energy_eV"] == pytest.approx(
        -details["perfect_energy_eV"] / details["n_atoms"], rel=1e-6
    )
    assert (
        0
        < record["summary"]["formation_energy_eV"]
        <= record["summary"]["unrelaxed_formation_energy_eV"]
    )
    check_against_reference(record)


def test_surface_with_the_copper_numbers(pair_model_file, pair_al_files, tmp_path):
    reference = FIXTURES / "cu_experiment.yaml"
    record = run_analysis(
        "surface",
        pair_model_file,
        pair_al_files["cubic"],
        "--miller",
        1,
        1,
        1,
        "--layers",
        4,
        "--reference",
        reference,
        "--out",
        tmp_path,
    )
    gamma = record["summary"]["surface_energy_J_m2"]
    assert gamma == pytest.approx(record["summary"]["surface_energy_eV_A2"] * 16.0217663)
    assert record["comparison"]["surface_energy_J_m2"]["reference"] == 1.79
    assert record["details"]["n_atoms"] == 16 and record["settings"]["miller"] == [1, 1, 1]


def test_phonons(pair_model_file, pair_al_files, tmp_path):
    pytest.importorskip("phonopy")
    record = run_analysis(
        "phonons",
        pair_model_file,
        pair_al_files["primitive"],
        "--supercell",
        2,
        2,
        2,
        "--points",
        40,
        "--mesh",
        6,
        "--reference",
        "emt",
        "--out",
        tmp_path,
    )
    assert np.abs(record["summary"]["frequencies_THz"]["G"]).max() < 0.01
    assert record["details"]["imaginary_modes"] == []
    assert len(record["details"]["path"]["distance"]) == 40
    assert record["comparison"]["frequencies_THz"]["X"]["max_abs_difference"] > 0


def test_md_trajectory_then_rdf(pair_model_file, pair_al_files, tmp_path):
    trajectory = tmp_path / "md.xyz"
    assert (
        main(
            [
                "md",
                str(pair_model_file),
                str(pair_al_files["cubic"]),
                "--steps",
                "30",
                "--interval",
                "10",
                "--temperature",
                "300",
                "--seed",
                "1",
                "--no-progress",
                "--trajectory",
                str(trajectory),
            ]
        )
        == 0
    )
    reference = tmp_path / "emt.traj"
    run_md(
        bulk("Al", "fcc", a=4.05, cubic=True).repeat(2),
        EMT(),
        ensemble="nvt",
        temperature_K=300,
        timestep_fs=2,
        steps=30,
        interval=10,
        seed=1,
        progress=False,
        trajectory=reference,
    )
    record = run_analysis(
        "rdf",
        trajectory,
        "--reference",
        reference,
        "--rmax",
        5,
        "--bins",
        100,
        "--frames",
        "1:",
        "--out",
        tmp_path,
    )
    assert record["details"]["n_frames"] == 3
    assert record["summary"]["peak_position_A"] == pytest.approx(4.267 / np.sqrt(2), abs=0.15)
    assert record["reference"]["summary"]["peak_position_A"] == pytest.approx(
        4.05 / np.sqrt(2), abs=0.15
    )
    assert record["summary"]["coordination_number"] == pytest.approx(12, abs=0.5)
    assert record["comparison"]["g_rms_difference"] > 0


def test_nve(pair_model_file, pair_al_files, tmp_path):
    record = run_analysis(
        "nve",
        pair_model_file,
        pair_al_files["cubic"],
        "--steps",
        40,
        "--interval",
        5,
        "--timestep",
        2,
        "--no-progress",
        "--out",
        tmp_path,
    )
    assert abs(record["summary"]["drift_eV_per_atom_per_ps"]) < 1e-3
    assert record["details"]["flagged"] is False and "reference" not in record
    assert len(record["details"]["time_ps"]) == 9
    assert len((tmp_path / "nve.csv").read_text().splitlines()) == 10


def test_no_plot_writes_the_json_only(tmp_path, capsys):
    structure = tmp_path / "cu.xyz"
    bulk("Cu", "fcc", a=3.6, cubic=True).write(structure)
    assert main(["analyze", "eos", "emt", str(structure), "--no-plot", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "eos.json").is_file() and not (tmp_path / "eos.png").exists()
    printed = capsys.readouterr().out
    assert "bulk_modulus_GPa" in printed and "wrote" in printed


@pytest.mark.parametrize(
    "argv, message",
    [
        (["eos", "emt", "missing.xyz"], "missing.xyz: no such file"),
        (["eos", "no_such_calc", "STRUCTURE"], "calculator 'no_such_calc': no such file"),
        (
            ["elastic", "emt", "STRUCTURE", "--reference", "REFS"],
            "unknown reference number 'C11': did you mean 'C11_GPa'?",
        ),
        (
            ["surface", "emt", "STRUCTURE", "--miller", "1", "0", "0", "--reference", "REFS"],
            "no section 'surface'",
        ),
    ],
)
def test_errors_are_one_line_and_write_nothing(tmp_path, capsys, argv, message):
    structure, refs = tmp_path / "cu.xyz", tmp_path / "refs.json"
    bulk("Cu", "fcc", a=3.6, cubic=True).write(structure)
    refs.write_text('{"elastic": {"C11": 170}}')
    argv = [str(structure) if a == "STRUCTURE" else str(refs) if a == "REFS" else a for a in argv]
    out = tmp_path / "out"
    assert main(["analyze", *argv, "--no-plot", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlpot analyze: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
