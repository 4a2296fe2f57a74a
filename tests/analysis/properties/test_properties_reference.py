"""References: calculators named on the command line, numbers files, and the comparison."""

from pathlib import Path

import pytest
from ase.calculators.emt import EMT

from mlpot.analysis.properties.calculators import calculator_from_spec
from mlpot.analysis.properties.reference import compare, load_reference, read_numbers
from mlpot.calculators import MlpotCalculator
from mlpot.errors import MlpotError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "properties"


def make_emt():
    """A factory for the module:factory form."""
    return EMT()


def not_a_calculator():
    return 42


def test_calculator_by_ase_name_model_file_and_import_path(pair_model_file):
    assert isinstance(calculator_from_spec("emt"), EMT)
    assert isinstance(calculator_from_spec("EMT"), EMT)
    assert isinstance(calculator_from_spec(str(pair_model_file)), MlpotCalculator)
    assert isinstance(calculator_from_spec(f"{__name__}:make_emt"), EMT)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("no_such_calculator", "no such file and no ASE calculator"),
        ("no_such_module_xyz:make", "cannot import 'make'"),
        (f"{__name__}:missing_factory", "cannot import 'missing_factory'"),
        (f"{__name__}:not_a_calculator", "gave a int, not an ASE calculator"),
    ],
)
def test_bad_calculator_specs_say_what_to_give(spec, message):
    with pytest.raises(MlpotError, match=message):
        calculator_from_spec(spec)


def test_yaml_and_json_numbers_files(tmp_path):
    numbers = read_numbers(FIXTURES / "cu_experiment.yaml")
    assert numbers["elastic"]["C44_GPa"] == 75.4
    assert numbers["surface"]["111"]["surface_energy_J_m2"] == 1.79
    path = tmp_path / "refs.json"
    path.write_text('{"eos": {"bulk_modulus_GPa": 137}}')
    reference = load_reference(str(path))
    assert reference.calculator is None and reference.section("eos") == {"bulk_modulus_GPa": 137}
    assert load_reference("emt").numbers is None


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("bad.json", '{\n"eos": {\n"bulk_modulus_GPa": 1,,\n}}', r"bad.json:3: not valid JSON"),
        ("bad.yaml", "eos:\n  b: [1, 2\n", r"bad.yaml:\d+: not valid YAML"),
        ("text.yaml", "eos:\n  bulk_modulus_GPa: large\n", r"'eos.bulk_modulus_GPa' is 'large'"),
        ("list.json", "[1, 2]", "expected sections of named numbers"),
    ],
)
def test_bad_numbers_files_name_file_and_place(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(MlpotError, match=message):
        read_numbers(tmp_path / name)


def test_missing_file_and_section():
    with pytest.raises(MlpotError, match="no such file"):
        load_reference("missing.yaml")
    reference = load_reference(str(FIXTURES / "cu_experiment.yaml"))
    with pytest.raises(MlpotError, match="no section 'surface.100'"):
        reference.section("surface", "100")
    with pytest.raises(MlpotError, match="no section 'rdf'"):
        reference.section("rdf")


def test_compare_numbers_lists_and_sections():
    model = {"b_GPa": 150.0, "zero": 0.5, "freq": {"X": [5.0, 5.0, 8.0]}}
    reference = {"b_GPa": 120.0, "zero": 0.0, "freq": {"X": [4.0, 5.0, 8.5]}}
    result = compare(model, reference, "refs.yaml")
    assert result["b_GPa"]["difference"] == pytest.approx(30.0)
    assert result["b_GPa"]["relative"] == pytest.approx(0.25)
    assert result["zero"]["relative"] is None
    assert result["freq"]["X"]["difference"] == pytest.approx([1.0, 0.0, -0.5])
    assert result["freq"]["X"]["max_abs_difference"] == pytest.approx(1.0)
    assert compare(model, {}, "refs.yaml") == {}


def test_compare_rejects_unknown_names_and_wrong_lengths():
    with pytest.raises(
        MlpotError, match="refs.yaml: unknown reference number 'bulk_GPa': did you mean 'b_GPa'"
    ):
        compare({"b_GPa": 1.0}, {"bulk_GPa": 1.0}, "refs.yaml")
    with pytest.raises(MlpotError, match="2 reference values for 3 computed ones"):
        compare({"f": [1.0, 2.0, 3.0]}, {"f": [1.0, 2.0]}, "refs.yaml")
