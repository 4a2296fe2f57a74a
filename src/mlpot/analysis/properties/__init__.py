"""Physical-property checks of a potential against a reference, one module each.

eos (equation of state), elastic (C_ij), vacancy (formation energy), surface (surface
energy), phonons (band structure, DOS; needs phonopy), rdf (g(r) of a trajectory) and nve
(energy conservation). Each takes any ASE calculator and returns a result with summary(),
to_dict() and warnings(); check.run_comparison sets it beside a reference (reference.py).
"""
