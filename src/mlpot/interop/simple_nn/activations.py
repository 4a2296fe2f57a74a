"""SIMPLE-NN's activation names (LAMMPS pair_nn, input.yaml acti_func) and mlpot's names for the
same functions: swish(x) = x sigmoid(x) is mlpot's silu; the others share their names."""

TO_MLPOT = {
    "linear": "linear",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "selu": "selu",
    "swish": "silu",
}
FROM_MLPOT = {mlpot: simple_nn for simple_nn, mlpot in TO_MLPOT.items()}
