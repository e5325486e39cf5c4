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
