"""Spatial-activity metrics computed on the fused image alone: SF.

Spatial frequency (Eskicioglu & Fisher 1995), higher is better:

    SF = sqrt(RF² + CF²),  RF² = 1/(MN) Σ (I(i,j) − I(i,j−1))²,
                           CF² = 1/(MN) Σ (I(i,j) − I(i−1,j))²

    >>> import numpy as np
    >>> x = np.full((8, 8), 7.0)
    >>> spatial_frequency(x)
    0.0
"""

from __future__ import annotations

import numpy as np

from metrics.base import register_metric
from metrics.channels import to_luma


def spatial_frequency(img: np.ndarray) -> float:
    """SF of a single-channel image (sums divided by M·N)."""
    m, n = img.shape
    rf2 = np.sum(np.diff(img, axis=1) ** 2) / (m * n)
    cf2 = np.sum(np.diff(img, axis=0) ** 2) / (m * n)
    return float(np.sqrt(rf2 + cf2))


@register_metric(
    "qsf",
    higher_is_better=True,
    conventions=("default",),
    citation="A. M. Eskicioglu, P. S. Fisher, IEEE Trans. Commun. 43(12), 1995",
)
def qsf(a, b, f, *, convention="default"):
    """Q^SF: spatial frequency of the fused image (on luma by default)."""
    (fl,) = to_luma(f)
    return spatial_frequency(fl)
