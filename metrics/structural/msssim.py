"""MS-SSIM: multi-scale structural similarity (Wang, Simoncelli & Bovik 2003).

Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multiscale structural similarity for
image quality assessment", Proc. 37th Asilomar Conf. Signals, Systems and
Computers, 2003. Higher is better.

For one image pair (x, y) with M = 5 scales (scale 1 = full resolution, each
next scale a 2×2 average then decimation by 2, symmetric border for odd sizes)::

    MS-SSIM(x, y) = [l_M]^β_M · Π_{j=1..M} [cs_j]^β_j
    β = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)

where cs_j is the mean of the contrast–structure map
(2σxy + C2)/(σx² + σy² + C2) at scale j and l_M·cs_M is the mean SSIM map at
the coarsest scale (11×11 Gaussian window, σ = 1.5, 'valid' region, L = 255,
C1 = (0.01 L)², C2 = (0.03 L)²; :func:`metrics.structural.ssim.ssim_map`).

Decisions where the paper is silent:

* a negative mean cs (anti-correlated structure at a coarse scale) would
  give a complex power; it is clipped to 0, as TensorFlow's
  ``ssim_multiscale`` does;
* images too small for five scales (the coarsest must still hold the 11×11
  window, i.e. min side ≥ 161) use as many scales as fit, with the first
  weights renormalised to sum to 1 (fewer than 1 scale is an error; with all
  five scales the published weights are used as printed — they sum to 1.0001).

The fusion score, like ``ssim``: MS-SSIM(A, F) + MS-SSIM(B, F) on BT.601
luma (range ≤ 2). No MATLAB toolkit reference: MEFB ships only MEF-SSIM.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (192, 192))
    >>> round(ms_ssim_pair(x, x), 6)
    1.0
"""

from __future__ import annotations

import numpy as np

from bench.errors import ImageTooSmallError
from bench.matlab import gaussian_taps, imfilter_separable
from metrics.base import Convention, register_metric
from metrics.structural.ssim import ssim_map

MS_SSIM_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
_WIN, _SIGMA = 11, 1.5


def downsample2(x: np.ndarray) -> np.ndarray:
    """2×2 block mean then decimation (odd sizes: last row/column mirrored).

    >>> downsample2(np.arange(9.0).reshape(3, 3)).tolist()
    [[2.0, 3.5], [6.5, 8.0]]
    """
    pad = ((0, x.shape[0] % 2), (0, x.shape[1] % 2))
    if any(p for _, p in pad):
        x = np.pad(x, pad, mode="symmetric")
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def cs_mean(x: np.ndarray, y: np.ndarray, data_range: float = 255.0, k2: float = 0.03) -> float:
    """Mean contrast–structure term (2σxy + C2)/(σx² + σy² + C2), Gaussian window, valid region."""
    g = gaussian_taps(_WIN, _SIGMA)
    c2 = (k2 * data_range) ** 2
    mx, my = imfilter_separable(x, g, shape="valid"), imfilter_separable(y, g, shape="valid")
    sx2 = imfilter_separable(x * x, g, shape="valid") - mx * mx
    sy2 = imfilter_separable(y * y, g, shape="valid") - my * my
    sxy = imfilter_separable(x * y, g, shape="valid") - mx * my
    return float(np.mean((2 * sxy + c2) / (sx2 + sy2 + c2)))


def n_scales(shape: tuple[int, ...], max_scales: int = 5) -> int:
    """How many dyadic scales fit an 11×11 window (at most ``max_scales``).

    >>> n_scales((520, 520)), n_scales((134, 178))
    (5, 4)
    """
    side, n = min(shape[:2]), 0
    while n < max_scales and side >= _WIN:
        n += 1
        side = (side + 1) // 2
    return n


def ms_ssim_pair(x: np.ndarray, y: np.ndarray, data_range: float = 255.0) -> float:
    """MS-SSIM of two single-channel images (see module docstring)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    levels = n_scales(x.shape)
    if levels == 0:
        raise ImageTooSmallError(f"ms-ssim: image {x.shape} smaller than the {_WIN}×{_WIN} window")
    weights = MS_SSIM_WEIGHTS
    if levels < len(MS_SSIM_WEIGHTS):
        weights = MS_SSIM_WEIGHTS[:levels] / MS_SSIM_WEIGHTS[:levels].sum()
    score = 1.0
    for j in range(levels):
        if j == levels - 1:
            term = float(ssim_map(x, y, data_range=data_range).mean())
        else:
            term = cs_mean(x, y, data_range)
            x, y = downsample2(x), downsample2(y)
        score *= max(term, 0.0) ** weights[j]
    return float(score)


def _ms_ssim_sum(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """MS-SSIM(A,F) + MS-SSIM(B,F)."""
    return ms_ssim_pair(a, f) + ms_ssim_pair(b, f)


ms_ssim = register_metric(
    "ms-ssim",
    latex=r"\mathrm{MS\text{-}SSIM}",
    higher_is_better=True,
    description="MS-SSIM(A,F) + MS-SSIM(B,F): multi-scale structural similarity (≤ 2)",
    citation="Z. Wang, E. P. Simoncelli, A. C. Bovik, Asilomar Conf. Signals Syst. Comput., 2003",
    conventions={"default": Convention(_ms_ssim_sum, "luma", identity=2.0, min_size=_WIN)},
    blur_worse=True,
)
