"""``cbf`` — cross bilateral filter fusion (Shreyamsha Kumar 2015).

B. K. Shreyamsha Kumar, "Image fusion based on pixel significance using cross
bilateral filter", Signal, Image and Video Processing 9(5):1193–1204, 2015.

Each source is smoothed by a *cross* bilateral filter whose range kernel is taken
from the other source (k×k window, k = 11, spatial σ_s = 1.8, range σ_r = 25):

    CBF_A(p) = Σ_q G_s(‖p−q‖) G_r(|B(p) − B(q)|) A(q) / Σ_q G_s G_r,

and its detail is D_A = A − CBF_A (likewise for B, guided by A). Pixel significance:
in the w×w window (w = 5) around p of the detail layer, with C_h the covariance of the
window's columns (rows = observations) and C_v that of its rows, the weight is the sum
of the eigenvalues of both, i.e. their traces:

    W_A(p) = Σ_columns var + Σ_rows var   (unbiased variances over w samples),

a weight of exactly 0 becomes machine ε, and F = (W_A·A + W_B·B) / (W_A + W_B).
Borders: mirror extension without repeating the edge pixel (the authors'
``per_extn_im_fn``), for both the filter and the covariance windows.

Parameters: ``sigma_s`` = 1.8, ``sigma_r`` = 25, ``ksize`` = 11, ``cov_size`` = 5.
Colour: ``per-channel`` (as VIFB's wrapper: each visible channel with the infrared).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((20, 26)) * 255
    >>> bool(np.allclose(methods.get_method("cbf").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from bench.errors import ParameterError
from methods.base import FusionMethod, FusionResult, register_method


def cross_bilateral_filter(x: np.ndarray, guide: np.ndarray, sigma_s: float = 1.8,
                           sigma_r: float = 25.0, ksize: int = 11) -> np.ndarray:
    """Filter ``x`` with a bilateral kernel whose range term compares pixels of ``guide``.

        >>> x = np.arange(25.0).reshape(5, 5)
        >>> bool(np.allclose(cross_bilateral_filter(x, np.zeros((5, 5)), 1e-3, 25.0, 3), x))
        True
    """
    x = np.asarray(x, dtype=np.float64)
    guide = np.asarray(guide, dtype=np.float64)
    r = ksize // 2
    h, w = x.shape
    xp = np.pad(x, r, mode="reflect")
    gp = np.pad(guide, r, mode="reflect")
    num = np.zeros_like(x)
    den = np.zeros_like(x)
    for i in range(-r, r + 1):
        for j in range(-r, r + 1):
            gs = np.exp(-(i * i + j * j) / (2.0 * sigma_s**2))
            gq = gp[r + i : r + i + h, r + j : r + j + w]
            wgt = gs * np.exp(-((gq - guide) ** 2) / (2.0 * sigma_r**2))
            num += xp[r + i : r + i + h, r + j : r + j + w] * wgt
            den += wgt
    return num / den


def _window_sums(x: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Sums of ``size`` consecutive entries along ``axis`` ('valid' positions)."""
    c = np.cumsum(x, axis=axis)
    c = np.concatenate([np.zeros_like(np.take(c, [0], axis=axis)), c], axis=axis)
    n = x.shape[axis]
    return np.take(c, np.arange(size, n + 1), axis=axis) - np.take(c, np.arange(0, n + 1 - size),
                                                                    axis=axis)


def detail_significance(d: np.ndarray, size: int = 5) -> np.ndarray:
    """Sum of the column variances plus the row variances of every size×size window.

        >>> float(detail_significance(np.zeros((4, 4))).max())
        0.0
    """
    r = size // 2
    p = np.pad(np.asarray(d, dtype=np.float64), r, mode="reflect")
    sq = _window_sums(_window_sums(p * p, size, 0), size, 1)  # Σ x² over the window
    col = _window_sums(p, size, 0)  # the sums of each window column
    row = _window_sums(p, size, 1)
    col_sq = _window_sums(col * col, size, 1)  # Σ over the window's columns of (column sum)²
    row_sq = _window_sums(row * row, size, 0)
    # Σ_col var = (Σ x² − Σ_col (col sum)² / n) / (n − 1), n = size; likewise for rows
    wt = ((sq - col_sq / size) + (sq - row_sq / size)) / (size - 1)
    return np.maximum(wt, 0.0)


def cbf_fuse_gray(a: np.ndarray, b: np.ndarray, sigma_s: float = 1.8, sigma_r: float = 25.0,
                  ksize: int = 11, cov_size: int = 5) -> np.ndarray:
    """CBF of two grey images (see the module docstring)."""
    da = a - cross_bilateral_filter(a, b, sigma_s, sigma_r, ksize)
    db = b - cross_bilateral_filter(b, a, sigma_s, sigma_r, ksize)
    eps = np.finfo(np.float64).eps
    wa = detail_significance(da, cov_size)
    wb = detail_significance(db, cov_size)
    wa[wa == 0] = eps
    wb[wb == 0] = eps
    return (a * wa + b * wb) / (wa + wb)


@register_method
class CBF(FusionMethod):
    name = "cbf"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible", "multi-focus", "medical")
    colour = "per-channel"
    citation = (
        "B. K. Shreyamsha Kumar, Image fusion based on pixel significance using cross bilateral "
        "filter, Signal, Image and Video Processing 9(5):1193-1204, 2015"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "CBF"}

    @dataclass
    class Params:
        sigma_s: float = 1.8
        sigma_r: float = 25.0
        ksize: int = 11
        cov_size: int = 5

    def run(self, a, b, params):
        for key in ("ksize", "cov_size"):
            size = getattr(params, key)
            if size < 3 or size % 2 == 0:
                raise ParameterError(f"cbf: {key} must be an odd integer >= 3, got {size}")
        h, w = a.shape[:2]
        if min(h, w) <= max(params.ksize, params.cov_size) // 2:
            raise ParameterError(
                f"cbf: a {h}x{w} image is too small for windows of {params.ksize} "
                f"and {params.cov_size} (mirror borders need more than half a window)"
            )
        fused = per_channel(
            lambda x, y: cbf_fuse_gray(x, y, params.sigma_s, params.sigma_r, params.ksize,
                                       params.cov_size), a, b)
        return FusionResult(image=fused)
