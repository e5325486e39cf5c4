"""Training entry points for the deep methods (``python -m bench train NAME``).

Each module here registers a trainer: an object with ``name``, ``help``,
``add_arguments(parser)`` and ``run(args) -> int``. Training code lives in
``bench`` (it builds data sets from ``bench.datasets``); the networks live in
``methods`` beside their weights and model cards.
"""

from __future__ import annotations

from bench.registry import Registry

TRAINERS: Registry = Registry("trainer")


def register_trainer(name: str):
    return TRAINERS.register(name)


def list_trainers() -> list[str]:
    _ensure_builtin()
    return TRAINERS.names("*")


def get_trainer(name: str):
    _ensure_builtin()
    return TRAINERS.get(name)


def _ensure_builtin() -> None:
    import importlib
    import pkgutil

    import bench.training as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"bench.training.{info.name}")
