"""Colour conversions shared by methods and metrics (float64, 0..255).

BT.601 luma: Y = 0.299 R + 0.587 G + 0.114 B (the ``default`` metric colour
rule, and MATLAB's ``rgb2gray`` up to its rounding).

    >>> import numpy as np
    >>> float(luma(np.array([[[255.0, 255.0, 255.0]]]))[0, 0])
    255.0
"""

from __future__ import annotations

import numpy as np

BT601 = np.array([0.299, 0.587, 0.114])
# MATLAB rgb2gray uses these rounded coefficients.
MATLAB_RGB2GRAY = np.array([0.298936021293776, 0.587043074451121, 0.114020904255103])


def luma(x: np.ndarray) -> np.ndarray:
    """BT.601 luma of an H×W×3 image; grey H×W images are returned unchanged."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    return x @ BT601


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
