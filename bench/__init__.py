"""fusebench: a benchmark harness for image fusion.

The import package ``bench`` holds the small base shared by ``methods`` and
``metrics`` (image I/O, colour conversion, the registry helper, errors) and
the application layers above it (datasets, runner, results store, reports,
CLI). ``methods`` and ``metrics`` import only the base modules:
``bench.io``, ``bench.color``, ``bench.registry``, ``bench.errors``.
"""

__version__ = "0.1.0"
