"""The physics tests every mlpot model family passes, shipped with the package.

mlpot.testing.suite.PotentialPhysicsTests is the pytest class a family's tests subclass;
mlpot.testing.checks holds the checks as plain functions (each raises AssertionError when a
model fails it) and mlpot.testing.structures the structures they use. Needs pytest.
"""
