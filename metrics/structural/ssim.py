"""SSIM and UIQI: windowed structural similarity of the fused image to each source.

Functional core (single-channel float64 arrays; other metrics import these):

* :func:`ssim_map` — Wang et al. 2004 SSIM with an 11×11 Gaussian window
  (σ = 1.5), computed on the **'valid'** region only (no padding), like MATLAB
  ``ssim_index`` and VIFB's ``metricsSsim.m``: for an H×W input the map is
  (H−10)×(W−10)::

      SSIM = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
      C1 = (k1·L)², C2 = (k2·L)², L = data_range.

* :func:`uiqi_map` — Wang & Bovik 2002 universal image quality index on a
  sliding ``block``×``block`` box window (valid region).
* Windows and filtering come from :mod:`bench.matlab` (``gaussian_taps``,
  ``imfilter_separable(..., shape="valid")``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (32, 32))
    >>> ssim_map(x, x).shape, float(ssim_map(x, x).mean())
    ((22, 22), 1.0)

Registered metric: ``ssim`` ↑ — SSIM(A,F) + SSIM(B,F) (range ≤ 2).
Conventions ``vifb`` and ``mefb`` reproduce VIFB's ``metricsSsim.m`` (per RGB
channel then the mean; ``mefb`` differs only in channel handling, see
:mod:`metrics.channels`). PSNR and RMSE live in :mod:`metrics.reference.difference`.
"""
from __future__ import annotations

import numpy as np

from bench.errors import ImageTooSmallError
from bench.matlab import gaussian_taps, imfilter_separable
from metrics.base import Convention, register_metric

# --------------------------------------------------------------------------
# functional core


def ssim_map(
    x: np.ndarray,
    y: np.ndarray,
    *,
    data_range: float = 255.0,
    win_size: int = 11,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> np.ndarray:
    """SSIM map of two single-channel images on the 'valid' region (Wang et al. 2004).

    Statistics use the normalised Gaussian window; variances are the biased
    (window-weighted) ones, as in MATLAB ``ssim_index``. Output shape is
    (H − win_size + 1) × (W − win_size + 1).

    >>> import numpy as np
    >>> x = np.arange(256.0).reshape(16, 16)
    >>> bool(ssim_map(x, x + 50).mean() < 1.0)
    True
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"ssim_map: need two equal single-channel images, got {x.shape} and {y.shape}")
    if min(x.shape) < win_size:
        raise ImageTooSmallError(f"ssim_map: image {x.shape} smaller than the {win_size}×{win_size} window")
    g = gaussian_taps(win_size, sigma)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    mx = imfilter_separable(x, g, shape="valid")
    my = imfilter_separable(y, g, shape="valid")
    mx2, my2, mxy = mx * mx, my * my, mx * my
    sx2 = imfilter_separable(x * x, g, shape="valid") - mx2
    sy2 = imfilter_separable(y * y, g, shape="valid") - my2
    sxy = imfilter_separable(x * y, g, shape="valid") - mxy
    return ((2 * mxy + c1) * (2 * sxy + c2)) / ((mx2 + my2 + c1) * (sx2 + sy2 + c2))


def uiqi_map(x: np.ndarray, y: np.ndarray, block: int = 8) -> np.ndarray:
    """Universal image quality index map (Wang & Bovik 2002), sliding box window, 'valid'.

    Q = 4 σxy μx μy / ((σx² + σy²)(μx² + μy²)). Where σx² + σy² = 0 the
    window is flat: Q = 2 μx μy / (μx² + μy²) (1 when both means are 0).

    >>> import numpy as np
    >>> x = np.random.default_rng(1).uniform(0, 255, (16, 16))
    >>> float(np.round(uiqi_map(x, x).mean(), 12))
    1.0
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    box = np.full(block, 1.0 / block)
    n = block * block
    mx = imfilter_separable(x, box, shape="valid")
    my = imfilter_separable(y, box, shape="valid")
    # unbiased variances as in Wang & Bovik's code
    sx2 = (imfilter_separable(x * x, box, shape="valid") - mx * mx) * n / (n - 1)
    sy2 = (imfilter_separable(y * y, box, shape="valid") - my * my) * n / (n - 1)
    sxy = (imfilter_separable(x * y, box, shape="valid") - mx * my) * n / (n - 1)
    den_s = sx2 + sy2
    den_m = mx * mx + my * my
    num = 4.0 * sxy * mx * my
    den = den_s * den_m
    q = np.ones_like(mx)
    full = den != 0
    q[full] = num[full] / den[full]
    flat = (den_s == 0) & (den_m != 0)
    q[flat] = 2.0 * mx[flat] * my[flat] / den_m[flat]
    return q


def _ssim_sum(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """SSIM(A,F) + SSIM(B,F), each the mean of :func:`ssim_map`."""
    return float(ssim_map(a, f).mean() + ssim_map(b, f).mean())


ssim = register_metric(
    "ssim",
    latex=r"\mathrm{SSIM}",
    higher_is_better=True,
    description="SSIM(A,F) + SSIM(B,F): structural similarity of F to each source (≤ 2)",
    citation="Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, IEEE TIP 13(4), 2004",
    conventions={
        "default": Convention(_ssim_sum, "luma", identity=2.0, min_size=11),
        "vifb": Convention(_ssim_sum, "vifb_channels", identity=2.0, min_size=11),
        "mefb": Convention(_ssim_sum, "mefb_channels", identity=2.0, min_size=11),
    },
    blur_worse=True,
)
