"""Universal pretrained potentials (SevenNet, CHGNet, MACE files) as ASE calculators, and the
per-element energy offsets that line their energies up with a user's DFT data.

The packages are optional: `pip install 'mlpot[universal]'` (sevenn, chgnet).
"""

from mlpot.universal.models import PRETRAINED, is_universal, parse_spec, universal_calculator

__all__ = ["PRETRAINED", "is_universal", "parse_spec", "universal_calculator"]
