"""Features computed outside torch and linked to the pair vectors: their backward pass is the
chain rule, and twice differentiable (force training), against torch's own autograd of the
same function."""

import torch

from mlpot.models.precomputed import linked

ROWS = torch.tensor([0, 0, 1, 2, 2, 2])  # the row (atom) each pair vector feeds


def _features(vectors):
    """X[row, f] = sum over its pairs of |r_p|^(f + 1): a smooth function of the vectors."""
    r = torch.linalg.vector_norm(vectors, dim=1)
    powers = torch.stack([r, r**2, r**3], 1)
    return torch.zeros(3, 3, dtype=vectors.dtype).index_add(0, ROWS, powers)


def _linked_features(vectors):
    """The same features, computed without autograd and linked to the vectors."""
    with torch.enable_grad():
        leaf = vectors.detach().requires_grad_(True)
        values = _features(leaf)
        derivatives = torch.stack(
            [torch.autograd.grad(values[ROWS[p], f], leaf, retain_graph=True)[0][p]
             for p in range(len(leaf)) for f in range(3)]
        ).reshape(len(leaf), 3, 3)
    return linked(values.detach(), derivatives, ROWS, vectors)


def test_chain_rule_and_its_derivative_in_the_weights():
    gen = torch.Generator().manual_seed(0)
    vectors = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    weights = torch.randn(3, dtype=torch.float64, generator=gen, requires_grad=True)
    results = []
    for features in (_features, _linked_features):
        v = vectors.clone().requires_grad_(True)
        energy = torch.tanh(features(v) @ weights).sum()
        (grad,) = torch.autograd.grad(energy, v, create_graph=True)
        (weight_grad,) = torch.autograd.grad(grad.square().sum(), weights)
        results.append((grad.detach(), weight_grad))
    torch.testing.assert_close(results[1][0], results[0][0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(results[1][1], results[0][1], rtol=1e-12, atol=1e-12)


def test_without_gradients_the_values_pass_through():
    values = torch.ones(3, 2)
    assert linked(values, torch.zeros(6, 2, 3), ROWS, torch.zeros(6, 3)) is values
