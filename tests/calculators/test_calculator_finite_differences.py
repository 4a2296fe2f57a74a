"""Forces and stress of MlpotCalculator against central finite differences of its energy
for every cutoff function (the structures of every model variant: the shipped physics suite,
tests/testing)."""

import pytest
from physics_helpers import CUTOFF_FUNCTIONS, cutoff_id, cutoff_model, triclinic

from mlpot.calculators import MlpotCalculator
from mlpot.testing import checks


@pytest.mark.parametrize("cutoff_function", CUTOFF_FUNCTIONS, ids=cutoff_id)
def test_each_cutoff_function(cutoff_function):
    model = cutoff_model(cutoff_function)
    checks.forces_match_finite_differences(lambda: MlpotCalculator(model), triclinic())
    checks.stress_matches_finite_differences(lambda: MlpotCalculator(model), triclinic())
