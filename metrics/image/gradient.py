"""Gradient-based sharpness of the fused image alone: Q^AG (average gradient) and EI.

Both are higher-is-better and ignore the sources (except for MEFB's channel rule).

* ``qag`` — average gradient. ``default`` is the paper's eq. 7 with forward
  differences over the (M−1)×(N−1) interior::

      AG = 1/((M−1)(N−1)) Σ_{i<M, j<N} sqrt(((I(i+1,j)−I(i,j))² + (I(i,j+1)−I(i,j))²) / 2)

  ``vifb``/``mefb`` (``metricsAvg_gradient.m``): MATLAB ``gradient`` (central
  differences inside, one-sided at the border), summed over all M·N pixels but
  divided by (M−1)(N−1); per channel then mean (MEFB: grey sources with an RGB
  fused image use ``rgb2gray(F)``).

* ``ei`` — edge intensity: mean Sobel magnitude sqrt(gx² + gy²), kernel
  [[1,2,1],[0,0,0],[−1,−2,−1]] and its transpose, replicate padding
  (``metricsEdge_intensity.m``). ``default`` on luma; ``vifb``/``mefb`` per channel.

    >>> import numpy as np
    >>> average_gradient(np.full((8, 8), 3.0)), edge_intensity(np.full((8, 8), 3.0))
    (0.0, 0.0)
"""

from __future__ import annotations

import numpy as np

from bench.matlab import sobel
from metrics import _numba
from metrics.base import Convention, register_metric


def average_gradient(x: np.ndarray) -> float:
    """Average gradient with forward differences (paper eq. 7) of a single-channel image."""
    m, n = x.shape
    if m < 2 or n < 2:
        return 0.0
    if _numba.enabled():
        from metrics.image import _kernels

        return float(_kernels.ag_sum(x) / ((m - 1) * (n - 1)))
    dy = x[1:, :-1] - x[:-1, :-1]
    dx = x[:-1, 1:] - x[:-1, :-1]
    dx *= dx  # in place: sqrt((dx² + dy²) / 2), the same operations in the same order
    dy *= dy
    dx += dy
    dx /= 2.0
    return float(np.sum(np.sqrt(dx, out=dx)) / ((m - 1) * (n - 1)))


def average_gradient_matlab(x: np.ndarray) -> float:
    """VIFB/MEFB average gradient: MATLAB ``gradient`` over all pixels / ((M−1)(N−1))."""
    m, n = x.shape
    if _numba.enabled() and m >= 2 and n >= 2:
        from metrics.image import _kernels

        return float(_kernels.ag_matlab_sum(x) / ((m - 1) * (n - 1)))
    gy, gx = np.gradient(x)
    return float(np.sum(np.sqrt((gx * gx + gy * gy) / 2.0)) / ((m - 1) * (n - 1)))


def edge_intensity(x: np.ndarray) -> float:
    """Mean Sobel gradient magnitude with replicate padding (MATLAB ``imfilter(...,'replicate')``)."""
    gx, gy = sobel(x, "replicate")
    return float(np.mean(np.sqrt(gy * gy + gx * gx)))


def _qag(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return average_gradient(f)


def _qag_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return average_gradient_matlab(f)


def _ei(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return edge_intensity(f)


qag = register_metric(
    "qag",
    latex=r"Q^{AG}",
    higher_is_better=True,
    description="Q^AG: average gradient of the fused image (sharpness)",
    citation="G. Cui, H. Feng, Z. Xu, Q. Li, Y. Chen, Optics Communications 341, 2015",
    conventions={
        "default": Convention(_qag, "luma"),
        "vifb": Convention(_qag_toolkit, "vifb_channels", min_size=2),
        "mefb": Convention(_qag_toolkit, "mefb_channels_gray_fused", min_size=2),
    },
    blur_worse=True,
)
ei = register_metric(
    "ei",
    latex=r"\mathrm{EI}",
    higher_is_better=True,
    description="EI: edge intensity, the mean Sobel gradient magnitude of the fused image",
    citation="B. Rajalingam, R. Priya, Int. J. Eng. Sci. Invention, 2018",
    conventions={
        "default": Convention(_ei, "luma"),
        "vifb": Convention(_ei, "vifb_channels"),
        "mefb": Convention(_ei, "mefb_channels"),
    },
    blur_worse=True,
)
