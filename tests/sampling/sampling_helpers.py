"""Short MD runs with a BiasedCalculator, for the sampling tests."""

import numpy as np
from ase.md.verlet import VelocityVerlet
from ase.units import fs, kB


def thermal(atoms, temperature=300.0, seed=0):
    """`atoms` with Gaussian velocities at `temperature` K (seeded)."""
    rng = np.random.default_rng(seed)
    masses = atoms.get_masses()[:, None]
    atoms.set_momenta(rng.normal(size=(len(atoms), 3)) * np.sqrt(masses * kB * temperature))
    return atoms


def run(calc, atoms, steps, timestep=2 * fs):
    atoms.calc = calc
    dynamics = VelocityVerlet(atoms, timestep)
    calc.attach(dynamics)
    dynamics.run(steps)
    return calc.history


def excursion(values):
    """Largest distance of s from its first value over the run."""
    return np.linalg.norm(values - values[0], axis=1).max()
