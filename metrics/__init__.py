"""Fusion quality metrics: a registry of pure functions with metadata.

    >>> import metrics
    >>> metrics.list_metrics("q*")                     # doctest: +SKIP
    ['qabf', 'qag', 'qlabf', 'qmi', 'qsf', ...]
    >>> metrics.compute("qabf", a, b, fused, convention="vifb")   # doctest: +SKIP

Each family lives in its own module; importing this package registers all
built-in metrics. The paper's five indices are ``PAPER_FIVE``.
"""

from metrics.base import METRICS, Metric, compute, get_metric, list_metrics, register_metric

PAPER_FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")


def _import_builtin_modules() -> None:
    """Import every public module of this package so its metrics register.

    A new metric family is one new module file here; nothing else to edit.
    """
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in _NOT_METRIC_MODULES:
            importlib.import_module(f"{__name__}.{info.name}")


_NOT_METRIC_MODULES = {"base", "channels"}
_import_builtin_modules()

__all__ = [
    "METRICS",
    "Metric",
    "PAPER_FIVE",
    "compute",
    "get_metric",
    "list_metrics",
    "register_metric",
]
