"""Training data: reading users' DFT files into validated Frames.

read_frames("OUTCAR 100:2000:20") reads any file ASE reads, mlearn JSON and n2p2
input.data; load_group and load_structure_list collect weighted groups of them.
Every problem with input data raises DataError naming the file, frame and line.
"""

from mlpot.data.errors import DataError
from mlpot.data.frame import Frame
from mlpot.data.groups import load_group
from mlpot.data.mlearn import mlearn_stress_to_ase, read_mlearn
from mlpot.data.n2p2_data import (
    ANGSTROM_EV,
    BOHR_HARTREE,
    FileUnits,
    read_n2p2_data,
    write_n2p2_data,
)
from mlpot.data.readers import detect_format, read_file, read_frames
from mlpot.data.structure_list import GroupSpec, load_structure_list, read_structure_list
from mlpot.data.validate import validate_frames

__all__ = [
    "ANGSTROM_EV",
    "BOHR_HARTREE",
    "DataError",
    "FileUnits",
    "Frame",
    "GroupSpec",
    "detect_format",
    "load_group",
    "load_structure_list",
    "mlearn_stress_to_ase",
    "read_file",
    "read_frames",
    "read_mlearn",
    "read_n2p2_data",
    "read_structure_list",
    "validate_frames",
    "write_n2p2_data",
]
