"""Piella & Heijmans fusion quality indices: weighted Q_W and edge-dependent Q_E.

With Q0(X, F|w) a local similarity index of window w, s(X|w) the local
variance of source X, λ_w = s(A|w) / (s(A|w) + s(B|w)) and
c_w = max(s(A|w), s(B|w)) / Σ_w' max(s(A|w'), s(B|w')):

    Q_W(A, B, F) = Σ_w c_w [ λ_w Q0(A,F|w) + (1 − λ_w) Q0(B,F|w) ]
    Q_E(A, B, F) = Q_W(A, B, F)^(1−α) · Q_W(A', B', F')^α,   α = 1

where X' is the edge-strength image of X (Sobel magnitude). Both higher is
better (1 for F = A = B).

``default``: on BT.601 luma; Q0 is the universal image quality index
(Wang & Bovik 2002, :func:`metrics.structural.ssim.uiqi_map`) on sliding 8×8
windows; variances are the same windows' (unbiased). Flat windows: Q0 as
``uiqi_map`` defines it (2μxμy/(μx²+μy²), 1 for two zero means); λ = 1/2
where s(A|w) + s(B|w) = 0; when both sources are flat everywhere
(Σ c = 0) all windows weigh equally.
Edge images use the Sobel magnitude on a mirror-extended image
(:func:`bench.matlab.sobel`, border ``mirror``).

``mefb`` (``qw`` only): MEFB's ``metricsQw.m`` (Z. Liu's ``metricPeilla.m``
run with ``sw = 3``), which returns the *edge-dependent* index with α = 1
although it is called Qw: edge images from 3×3 Prewitt-like kernels
(zero padding), Q0 = SSIM (11×11 Gaussian σ = 1.5, K = (0.01, 0.03),
L = 255), λ and c from the edge images' variances (0.5 added to both
where their sum is 0). Per RGB channel with MEFB's channel rule.

References: G. Piella, H. Heijmans, "A new quality metric for image fusion",
ICIP 2003; Z. Wang, A. C. Bovik, "A universal image quality index", IEEE SPL 2002.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (32, 32))
    >>> round(weighted_quality(x, x, x), 9)
    1.0
"""

from __future__ import annotations

import numpy as np

from bench.errors import ImageTooSmallError
from bench.matlab import gaussian_taps, imfilter, imfilter_separable, sobel
from metrics.base import Convention, register_metric
from metrics.structural.ssim import uiqi_map
from metrics.structural.weighted_ssim import local_moments, ssim_from_moments

UIQI_BLOCK = 8
EDGE_ALPHA = 1.0
_PREWITT_X = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]])
_PREWITT_Y = _PREWITT_X.T.copy()


def _local_variance(x: np.ndarray, block: int) -> np.ndarray:
    """Unbiased variance in sliding block×block windows ('valid'), as ``uiqi_map`` uses."""
    box = np.full(block, 1.0 / block)
    n = block * block
    m = imfilter_separable(x, box, shape="valid")
    return np.maximum(imfilter_separable(x * x, box, shape="valid") - m * m, 0.0) * n / (n - 1)


def weighted_quality(a: np.ndarray, b: np.ndarray, f: np.ndarray, block: int = UIQI_BLOCK) -> float:
    """Q_W of single-channel images with UIQI on block×block windows (``default``)."""
    if min(a.shape) < block:
        raise ImageTooSmallError(f"metric qw/qe: image {a.shape} is smaller than the {block}×{block} window")
    q_af, q_bf = uiqi_map(a, f, block), uiqi_map(b, f, block)
    s_a, s_b = _local_variance(a, block), _local_variance(b, block)
    s = s_a + s_b
    lam = np.full_like(s, 0.5)
    lam[s > 0] = s_a[s > 0] / s[s > 0]
    c = np.maximum(s_a, s_b)
    c = c / c.sum() if c.sum() > 0 else np.full_like(c, 1.0 / c.size)
    return float(np.sum(c * (lam * q_af + (1 - lam) * q_bf)))


def edge_quality(a: np.ndarray, b: np.ndarray, f: np.ndarray, alpha: float = EDGE_ALPHA) -> float:
    """Q_E = Q_W(A,B,F)^(1−α) · Q_W(A',B',F')^α (``default``, Sobel edge images)."""
    q_edges = weighted_quality(*(np.hypot(*sobel(x, "mirror")) for x in (a, b, f)))
    if alpha == 1.0:
        return q_edges
    return float(weighted_quality(a, b, f) ** (1.0 - alpha) * q_edges**alpha)


def _prewitt_magnitude(x: np.ndarray) -> np.ndarray:
    gx = imfilter(x, _PREWITT_X, "zero")
    gy = imfilter(x, _PREWITT_Y, "zero")
    return np.sqrt(gx * gx + gy * gy)


def mefb_qw(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """MEFB's ``Qw`` of single-channel images (edge-dependent, α = 1; see module doc)."""
    if min(a.shape) < 11:
        raise ImageTooSmallError(f"metric qw (mefb): image {a.shape} is smaller than the 11×11 SSIM window")
    ea, eb, ef = _prewitt_magnitude(a), _prewitt_magnitude(b), _prewitt_magnitude(f)
    taps = gaussian_taps(11, 1.5)
    c1, c2 = (0.01 * 255.0) ** 2, (0.03 * 255.0) ** 2
    mab = local_moments(ea, eb, taps)
    s_a, s_b = mab.sxx.copy(), mab.syy.copy()
    flat = (s_a + s_b) == 0
    s_a[flat] += 0.5
    s_b[flat] += 0.5
    lam = s_a / (s_a + s_b)
    q_fa = ssim_from_moments(local_moments(ef, ea, taps), c1, c2)
    q_fb = ssim_from_moments(local_moments(ef, eb, taps), c1, c2)
    c = np.maximum(s_a, s_b)
    c = c / np.sum(c)
    return float(np.sum(c * (lam * q_fa + (1 - lam) * q_fb)))


_CITE = "G. Piella, H. Heijmans, A new quality metric for image fusion, ICIP 2003"


_CITE = "G. Piella, H. Heijmans, A new quality metric for image fusion, ICIP 2003"

qw = register_metric(
    "qw",
    latex=r"Q_{W}",
    higher_is_better=True,
    description="Q_W (Piella): saliency-weighted UIQI of F to A and B in 8×8 windows",
    citation=_CITE,
    conventions={
        "default": Convention(weighted_quality, "luma", identity=1.0, min_size=UIQI_BLOCK),
        "mefb": Convention(mefb_qw, "mefb_channels", identity=1.0, min_size=11),
    },
    blur_worse=True,
)
qe = register_metric(
    "qe",
    latex=r"Q_{E}",
    higher_is_better=True,
    description="Q_E (Piella): edge-dependent quality, Q_W of the Sobel edge images (α = 1)",
    citation=_CITE,
    conventions={"default": Convention(edge_quality, "luma", identity=1.0, min_size=UIQI_BLOCK)},
    blur_worse=True,
)
