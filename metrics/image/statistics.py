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

from metrics.base import Convention, register_metric


def standard_deviation(x: np.ndarray) -> float:
    """Population standard deviation of all pixels of a single-channel image."""
    return float(np.sqrt(np.mean((x - x.mean()) ** 2)))


def _sd(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return standard_deviation(f)


sd = register_metric(
    "sd",
    latex=r"\mathrm{SD}",
    higher_is_better=True,
    description="SD: standard deviation of the fused image's grey levels (global contrast)",
    citation="Y.-J. Rao, Meas. Sci. Technol. 8(4), 1997",
    conventions={
        "default": Convention(_sd, "luma"),
        "vifb": Convention(_sd, "vifb_channels"),
        "mefb": Convention(_sd, "mefb_channels"),
    },
)
