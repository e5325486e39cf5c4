"""Grey-level statistics of the fused image: SD (contrast), higher is better.

SD = sqrt(1/(MN) Σ (F(i,j) − μ)²)  — the population standard deviation
(VIFB calls it "Variance" but returns this square root).

    >>> import numpy as np
    >>> standard_deviation(np.array([[0.0, 2.0], [0.0, 2.0]]))
    1.0

``default``: on BT.601 luma. ``vifb``/``mefb`` (``metricsVariance.m`` /
``metricsSD.m``): per RGB channel then the mean (MEFB: grey sources with an
RGB fused image use the red channel).
"""

from __future__ import annotations

import numpy as np

from metrics.base import register_metric
from metrics.channels import to_luma, toolkit_mean


def standard_deviation(x: np.ndarray) -> float:
    """Population standard deviation of all pixels of a single-channel image."""
    return float(np.sqrt(np.mean((x - x.mean()) ** 2)))


@register_metric(
    "sd",
    higher_is_better=True,
    conventions=("default", "vifb", "mefb"),
    citation="Y.-J. Rao, Meas. Sci. Technol. 8(4), 1997",
)
def sd(a, b, f, *, convention="default"):
    """SD: standard deviation of the fused image's grey levels (global contrast).

    SD = sqrt(Σ(F − μ)² / (MN)). ``default`` on luma; ``vifb``/``mefb`` per channel.
    """
    if convention in ("vifb", "mefb"):
        return toolkit_mean(lambda x, y, z: standard_deviation(z), a, b, f, convention)
    (fl,) = to_luma(f)
    return standard_deviation(fl)
