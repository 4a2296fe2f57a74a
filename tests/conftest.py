"""Test-suite root.

pytest (default "prepend" import mode) puts this directory on sys.path when it loads this file,
which is what lets test modules in subdirectories `import physics_helpers`.
"""
