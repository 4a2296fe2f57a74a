"""The inference sums of forces and virial equal the training (torch) ones."""

from __future__ import annotations

import numpy as np
import torch

from mlpot.models import forces as torch_sums
from mlpot.models import pair_sums


def test_forces_and_virial_equal_the_torch_sums():
    rng = np.random.default_rng(3)
    n, p = 17, 200
    first, second = np.sort(rng.integers(0, n, p)), rng.integers(0, n, p)
    grad, vectors = rng.normal(size=(p, 3)), rng.normal(size=(p, 3))
    f = pair_sums.forces_from_pair_gradients(grad, first, second, n)
    g_t, v_t = torch.from_numpy(grad), torch.from_numpy(vectors)
    first_t, second_t = torch.from_numpy(first), torch.from_numpy(second)
    expected = torch_sums.forces_from_pair_gradients(g_t, first_t, second_t, n).numpy()
    np.testing.assert_allclose(f, expected, rtol=1e-13, atol=1e-13)
    w = pair_sums.virial_from_pair_gradients(grad, vectors)
    structure = torch.zeros(p, dtype=torch.long)
    expected_w = torch_sums.virials_from_pair_gradients(g_t, v_t, structure, 1)[0].numpy()
    np.testing.assert_allclose(w, expected_w, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(f.sum(0), 0.0, atol=1e-12)  # Newton's third law


def test_cached_networks_follow_parameter_changes():
    from mlpot.descriptors.cutoffs import CutoffFunction
    from mlpot.descriptors.symmetry_functions import SymmetryFunctionSet
    from mlpot.models.evaluate import cached_inference_networks
    from mlpot.models.nnp import NetworkSpec, NeuralNetworkPotential

    lines = ["Si 2 Si 0.5 0.0 4.0", "Si 3 Si Si 0.1 1 2.0 4.0"]
    sfset = SymmetryFunctionSet.from_n2p2_lines(lines, ["Si"], CutoffFunction("cos"))
    model = NeuralNetworkPotential(sfset, {"Si": NetworkSpec((4,), "tanh")})
    first = cached_inference_networks(model)
    assert cached_inference_networks(model) is first
    with torch.no_grad():
        model.networks["Si"][0].weight.add_(1.0)
    second = cached_inference_networks(model)
    assert second is not first
    assert not np.array_equal(second.weights, first.weights)
    model.load_state_dict({k: v.clone() for k, v in model.state_dict().items()})
    assert cached_inference_networks(model) is not second
