"""Colour conversions shared by methods and metrics (float64, 0..255).

BT.601 luma: Y = 0.299 R + 0.587 G + 0.114 B (the ``default`` metric colour
rule, and MATLAB's ``rgb2gray`` up to its rounding). A grey pixel (R = G = B)
has luma exactly R: in floating point the weights sum to 0.9999999999999999
and the weighted sum of three equal values can miss R by an ulp, which
exact-equality tests in the edge metrics amplify, so :func:`luma` returns
grey pixels unchanged.

    >>> import numpy as np
    >>> float(luma(np.array([[[255.0, 255.0, 255.0]]]))[0, 0])
    255.0
    >>> grey = np.full((1, 1, 3), 4.0)
    >>> float((grey @ BT601)[0, 0]), float(luma(grey)[0, 0])
    (3.9999999999999996, 4.0)
"""

from __future__ import annotations

import numpy as np

BT601 = np.array([0.299, 0.587, 0.114])
# MATLAB rgb2gray uses these rounded coefficients.
MATLAB_RGB2GRAY = np.array([0.298936021293776, 0.587043074451121, 0.114020904255103])


def luma(x: np.ndarray) -> np.ndarray:
    """BT.601 luma of an H×W×3 image; grey H×W images and grey pixels (R = G = B) unchanged."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    y = x @ BT601
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    grey = (r == g) & (g == b)
    y[grey] = r[grey]
    return y


def rgb2gray_matlab(x: np.ndarray) -> np.ndarray:
    """MATLAB ``rgb2gray`` on a double image (no rounding)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    return x @ MATLAB_RGB2GRAY


def rgb_to_ycbcr(x: np.ndarray) -> np.ndarray:
    """Full-range BT.601 YCbCr (JPEG convention), 0..255, for luma+chroma fusion."""
    x = np.asarray(x, dtype=np.float64)
    y = x @ BT601
    cb = 128.0 + (x[..., 2] - y) * (0.5 / (1.0 - 0.114))
    cr = 128.0 + (x[..., 0] - y) * (0.5 / (1.0 - 0.299))
    return np.stack([y, cb, cr], axis=-1)


def ycbcr_to_rgb(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`."""
    x = np.asarray(x, dtype=np.float64)
    y, cb, cr = x[..., 0], x[..., 1] - 128.0, x[..., 2] - 128.0
    r = y + cr * (2.0 * (1.0 - 0.299))
    b = y + cb * (2.0 * (1.0 - 0.114))
    g = (y - 0.299 * r - 0.114 * b) / 0.587
    return np.stack([r, g, b], axis=-1)
