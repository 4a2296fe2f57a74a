"""SIMPLE-NN (Lee et al., Comput. Phys. Commun. 2019): potentials, params files and input.yaml.

read_potential(path) / write_potential(model, path)   potential_saved (LAMMPS pair_style nn)
read_params(path, elements) / write_params(...)        params_XX symmetry-function files
import_config(input_yaml, config_yaml)                 input.yaml -> mlpot training config
"""

from mlpot.interop.simple_nn.input_yaml import convert_input_yaml, import_config
from mlpot.interop.simple_nn.params import read_params, write_params
from mlpot.interop.simple_nn.potential import read_potential, write_potential

__all__ = [
    "convert_input_yaml",
    "import_config",
    "read_params",
    "read_potential",
    "write_params",
    "write_potential",
]
