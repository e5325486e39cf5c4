"""Fusion method plugins.

    >>> import methods
    >>> methods.list_methods("*")                     # doctest: +SKIP
    ['average', 'max-abs', 'dwt', ...]
    >>> res = methods.get_method("gff").fuse(a, b, r1=30)   # doctest: +SKIP
    >>> res.image, res.decision_map                          # doctest: +SKIP

Every public module (or subpackage) of this package is imported so its
methods register; third-party packages register through the entry-point
group ``fusebench.methods``.
"""

from methods.base import (
    METHODS,
    FusionMethod,
    FusionResult,
    get_method,
    list_methods,
    register_method,
)


def _import_builtin_modules() -> None:
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in _NOT_METHOD_MODULES:
            importlib.import_module(f"{__name__}.{info.name}")


_NOT_METHOD_MODULES = {"base", "common", "plugins", "testing"}
_import_builtin_modules()

__all__ = [
    "METHODS",
    "FusionMethod",
    "FusionResult",
    "get_method",
    "list_methods",
    "register_method",
]
