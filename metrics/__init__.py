"""Fusion quality metrics: a registry of pure functions with metadata.

    >>> import metrics
    >>> metrics.list_metrics("q*")                     # doctest: +SKIP
    ['qabf', 'qag', 'qlabf', 'qmi', 'qsf', ...]
    >>> metrics.compute("qabf", a, b, fused, convention="vifb")   # doctest: +SKIP

Each family lives in its own module; importing this package registers all
built-in metrics. The paper's five indices are ``PAPER_FIVE``.
"""

from bench.registry import import_submodules
from metrics.base import METRICS, Metric, compute, get_metric, list_metrics, register_metric

PAPER_FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")

# A new metric family is one new module file here; nothing else to edit.
import_submodules(__name__, exclude={"base", "channels"})

__all__ = [
    "METRICS",
    "Metric",
    "PAPER_FIVE",
    "compute",
    "get_metric",
    "list_metrics",
    "register_metric",
]
