"""mlpot: machine-learning interatomic potentials from DFT data to molecular dynamics."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlpot")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
