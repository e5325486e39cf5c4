"""Subcommands of ``python -m bench``: one module each (see :mod:`bench.cli`)."""
