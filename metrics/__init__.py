"""Fusion quality metrics: a registry of pure functions with metadata, by family.

    >>> import metrics, numpy as np
    >>> sorted(metrics.list_metrics("qa*"))
    ['qabf', 'qabf-petrovic', 'qag']
    >>> x = np.tile(np.arange(16.0) * 10, (16, 1))   # RF² = 15·16·100 / 256, CF = 0
    >>> round(metrics.compute("qsf", x, x, x, convention="vifb"), 6)
    9.682458

Each family is a subpackage named for what its metrics measure (``edge``,
``information``, ``structural``, ``perceptual``, ``image``, ``reference``);
importing this package registers all built-in metrics. ``bench metrics``
lists them with their module. The paper's five indices are ``PAPER_FIVE``.
"""

from bench.registry import import_submodules
from metrics.base import (
    METRICS,
    Convention,
    Metric,
    check_convention,
    compute,
    compute_many,
    get_metric,
    known_conventions,
    list_metrics,
    register_metric,
)
from metrics.features import FeatureCache, shared_features

PAPER_FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")
#: Added to the default set where a dataset has ground truth (map-accuracy needs a mask too).
GROUND_TRUTH_DEFAULT = ("psnr-gt", "ssim-gt", "map-accuracy")

# A new metric family is one new subpackage here; nothing else to edit.
import_submodules(__name__, exclude={"base", "channels", "features"})

__all__ = [
    "METRICS",
    "Convention",
    "Metric",
    "GROUND_TRUTH_DEFAULT",
    "PAPER_FIVE",
    "check_convention",
    "FeatureCache",
    "compute",
    "compute_many",
    "shared_features",
    "get_metric",
    "known_conventions",
    "list_metrics",
    "register_metric",
]
