"""Code the tests and benchmarks share and the package does not ship: the synthetic report
generator (``tests.support.synth``) and its phrase data (``phrases.yml``, ``kinds.yml``).

Importable as ``tests.support`` from the project root (pytest's ``pythonpath = ["."]``; the
benchmarks put the root on ``sys.path``).
"""
