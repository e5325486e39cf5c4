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

from bench.registry import import_submodules
from methods.base import (
    METHODS,
    FusionMethod,
    FusionResult,
    get_method,
    list_methods,
    register_method,
)

import_submodules(__name__, exclude={"base", "contrast", "filters", "plugins", "pyramids", "testing"})

__all__ = [
    "METHODS",
    "FusionMethod",
    "FusionResult",
    "get_method",
    "list_methods",
    "register_method",
]
