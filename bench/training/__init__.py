"""Training entry points for the deep methods (``python -m bench train NAME``).

Each module here registers a trainer: an object with ``name``, ``help``,
``add_arguments(parser)`` and ``run(args) -> int``. Training code lives in
``bench`` (it builds data sets from ``bench.datasets``); the networks live in
``methods`` beside their weights and model cards.
"""

from __future__ import annotations

from bench.registry import Registry, import_submodules

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
    import_submodules("bench.training")
