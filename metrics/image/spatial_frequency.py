"""Spatial-activity metrics computed on the fused image alone: SF.

Spatial frequency (Eskicioglu & Fisher 1995), higher is better:

    SF = sqrt(RF² + CF²),  RF² = 1/(MN) Σ (I(i,j) − I(i,j−1))²,
                           CF² = 1/(MN) Σ (I(i,j) − I(i−1,j))²

    >>> import numpy as np
    >>> x = np.full((8, 8), 7.0)
    >>> spatial_frequency(x)
    0.0

Conventions:

* ``vifb`` (``metricsSpatial_frequency.m``): the code indexes a colour image
  as a 2-D M×3N matrix, i.e. the R, G and B planes side by side, so RF also
  takes the two differences across the R|G and G|B seams and both sums are
  divided by M·3N. VIFB's published values need this quirk.
* ``mefb`` (MEFB's version): per RGB channel then the mean, no seams; grey
  sources with an RGB fused image use the red channel.
"""

from __future__ import annotations

import numpy as np

from metrics import _numba
from metrics.base import Convention, register_metric


def spatial_frequency(img: np.ndarray) -> float:
    """SF of a single-channel image (sums divided by M·N)."""
    m, n = img.shape
    if _numba.enabled() and m >= 2 and n >= 2:
        from metrics.image import _kernels

        r2, c2 = _kernels.sf_sums(img)
        return float(np.sqrt(r2 / (m * n) + c2 / (m * n)))
    rf2 = np.sum(np.diff(img, axis=1) ** 2) / (m * n)
    cf2 = np.sum(np.diff(img, axis=0) ** 2) / (m * n)
    return float(np.sqrt(rf2 + cf2))


def spatial_frequency_vifb(img: np.ndarray) -> float:
    """VIFB's SF: a colour image is treated as its channels side by side (M × 3N).

    >>> import numpy as np
    >>> x = np.zeros((4, 4, 3)); x[..., 1] = 1.0   # flat channels, steps at the seams
    >>> bool(round(spatial_frequency_vifb(x), 6) == round(np.sqrt(2 * 4 / 48), 6))
    True
    """
    if img.ndim == 3:
        img = np.concatenate([img[..., k] for k in range(img.shape[2])], axis=1)
    return spatial_frequency(img)


def _sf(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return spatial_frequency(f)


def _sf_vifb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return spatial_frequency_vifb(f)


qsf = register_metric(
    "qsf",
    latex=r"Q^{SF}",
    higher_is_better=True,
    description="Q^SF: spatial frequency sqrt(RF² + CF²) of the fused image (activity)",
    citation="A. M. Eskicioglu, P. S. Fisher, IEEE Trans. Commun. 43(12), 1995",
    conventions={
        "default": Convention(_sf, "luma"),
        "vifb": Convention(
            _sf_vifb,
            "as_is",
            grey_as_rgb="VIFB's code lays R, G, B side by side (M × 3N) and counts the two seams",
        ),
        "mefb": Convention(_sf, "mefb_channels"),
    },
    blur_worse=True,
)
