"""Training entry points for the deep methods (``python -m bench train NAME``).

Each module here registers a trainer: an object with ``name``, ``help``,
``add_arguments(parser)`` and ``run(args) -> int``. Training code lives in
``bench`` (it builds data sets from ``bench.datasets``); the networks live in
``methods`` beside their weights and model cards. The modules are imported on
the first lookup in ``TRAINERS`` (lazy discovery, see :mod:`bench.registry`).

    >>> "tlnet" in list_trainers()
    True
"""

from __future__ import annotations

from bench.registry import Registry, discover_submodules, module_order

TRAINERS: Registry = Registry(
    "trainer", discover=discover_submodules(__name__), order=module_order(__name__)
)


def register_trainer(name: str):
    return TRAINERS.register(name)


def list_trainers() -> list[str]:
    return TRAINERS.names("*")


def get_trainer(name: str):
    return TRAINERS.get(name)


def add_output_options(p, *, out_help: str, out_default: str | None = None,
                       float32_help: str = "save float32 weights (default: float16)",
                       device_default: str = "auto") -> None:
    """The options every checkpointing trainer shares: where it runs and what it writes.

    ``--device``, ``--out`` (help ``out_help``), ``--float32``, ``--restart``, ``--no-progress``.

    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_output_options(p, out_help="checkpoint path")
    >>> vars(p.parse_args(["--device", "cpu", "--restart"]))
    {'device': 'cpu', 'out': None, 'float32': False, 'restart': True, 'no_progress': False}
    """
    p.add_argument("--device", default=device_default, help="auto (CUDA if available), cpu, cuda, cuda:1 ...")
    p.add_argument("--out", default=out_default, help=out_help)
    p.add_argument("--float32", action="store_true", help=float32_help)
    p.add_argument("--restart", action="store_true", help="ignore a saved state and start from scratch")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
