"""Visual information fidelity: two different metrics that papers both call "VIF".

``viff`` — Han, Cai, Cao & Xu, "A new image fusion performance metric based on
visual information fidelity", Information Fusion 14(2), 2013 (VIFF). A
*fusion* metric: per scale and per local window it keeps the source that the
fused image carries with the smaller gain, then takes the ratio of visual
information with distortion (VID) to visual information without it (VIND)::

    VID_s  = Σ_windows [ log10(1 + g² σ_X² / (σ_V² + σ_N²)) + C ]
    VIND_s = Σ_windows [ log10(1 + σ_X² / σ_N²) + C ]
    VIFF   = Σ_s p_s · VID_s / VIND_s,   p = [1, 0, 0.15, 1] / 2.15

with, for source X and fused F in each Gaussian window, g = σ_XF / σ_X²,
σ_V² = σ_F² − g σ_XF, noise σ_N² = 0.005 · 255², C = 1e-7, and X chosen per
window as the source with the smaller g. Higher is better; ≈ 1 for a fused
image that keeps the sources' information, can exceed 1 for contrast gain.

``vifp`` — Sheikh & Bovik, "Image information and visual quality", IEEE TIP
15(2), 2006, pixel-domain multi-scale version (VIFp). A *full-reference*
quality metric of one distorted image against one reference::

    VIFp(X, F) = Σ_s Σ_windows log10(1 + g² σ_X² / (σ_V² + σ_N²))
                 / Σ_s Σ_windows log10(1 + σ_X² / σ_N²),     σ_N² = 2

used for fusion, as in the infrared–visible literature, as the sum
``VIFp(A, F) + VIFp(B, F)`` (range about 0..2, higher is better).

Both use the same four-scale Gaussian pyramid: at scale s = 1..4 the window is
an N×N Gaussian, N = 2^(5−s) + 1, σ = N/5, filtering is 'valid' (no padding),
and between scales the image is Gaussian-filtered with that scale's window and
decimated by 2. The local statistics are regularised exactly as in Sheikh's
reference code (negative variances clipped to 0; g = 0 where σ_X² or σ_F² is
below 1e-10; a negative g is set to 0 with σ_V² = σ_F²; σ_V² ≥ 1e-10).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (64, 64))
    >>> round(vifp_pair(x, x), 6)
    1.0

Conventions: ``default`` scores BT.601 luma; ``mefb`` reproduces MEFB's
``metricsVIF.m`` (Han's code): each RGB channel separately then the mean, and
grey sources with an RGB-stored fused image use the fused red channel.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bench.errors import ImageTooSmallError
from bench.matlab import gaussian_taps, imfilter_separable
from metrics.base import Convention, register_metric

VIFF_NOISE_VAR = 0.005 * 255.0 * 255.0
VIFF_SCALE_WEIGHTS = np.array([1.0, 0.0, 0.15, 1.0]) / 2.15
VIFF_C = 1e-7
VIFP_NOISE_VAR = 2.0
_EPS = 1e-10
VIF_MIN_SIZE = 41  # smallest side that still holds the 3×3 window at scale 4


def vif_scale_stats(
    ref: np.ndarray, dist: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(g, sigma_ref², sigma_v²)`` maps at each of the four scales (Sheikh's regularisation)."""
    ref = np.asarray(ref, dtype=np.float64)
    dist = np.asarray(dist, dtype=np.float64)
    for scale in range(1, 5):
        n = 2 ** (4 - scale + 1) + 1
        win = gaussian_taps(n, n / 5.0)
        if scale > 1:
            ref = imfilter_separable(ref, win, shape="valid")[::2, ::2]
            dist = imfilter_separable(dist, win, shape="valid")[::2, ::2]
        if min(ref.shape) < n:
            raise ImageTooSmallError(f"image too small for VIF scale {scale} ({n}×{n} window)")
        mu1 = imfilter_separable(ref, win, shape="valid")
        mu2 = imfilter_separable(dist, win, shape="valid")
        s1 = np.maximum(imfilter_separable(ref * ref, win, shape="valid") - mu1 * mu1, 0.0)
        s2 = np.maximum(imfilter_separable(dist * dist, win, shape="valid") - mu2 * mu2, 0.0)
        s12 = imfilter_separable(ref * dist, win, shape="valid") - mu1 * mu2
        g = s12 / (s1 + _EPS)
        sv = s2 - g * s12
        flat1 = s1 < _EPS
        g[flat1] = 0.0
        sv[flat1] = s2[flat1]
        s1 = np.where(flat1, 0.0, s1)
        flat2 = s2 < _EPS
        g[flat2] = 0.0
        sv[flat2] = 0.0
        neg = g < 0
        sv[neg] = s2[neg]
        g[neg] = 0.0
        sv = np.maximum(sv, _EPS)
        yield g, s1, sv


def vifp_pair(ref: np.ndarray, dist: np.ndarray) -> float:
    """Sheikh's pixel-domain VIF of ``dist`` against ``ref`` (one channel), in [0, ~1].

    >>> x = np.random.default_rng(1).uniform(0, 255, (64, 64))
    >>> vifp_pair(x, 0.5 * x) < 1.0
    True
    """
    num = den = 0.0
    for g, s1, sv in vif_scale_stats(ref, dist):
        num += float(np.sum(np.log10(1.0 + g * g * s1 / (sv + VIFP_NOISE_VAR))))
        den += float(np.sum(np.log10(1.0 + s1 / VIFP_NOISE_VAR)))
    return num / den if den > 0 else float("nan")


def viff_channel(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """Han et al. 2013 VIFF of one channel (sources ``a``, ``b``, fused ``f``)."""
    total = 0.0
    for p, (ga, sa, va), (gb, sb, vb) in zip(
        VIFF_SCALE_WEIGHTS, vif_scale_stats(a, f), vif_scale_stats(b, f)
    ):
        use_a = ga < gb  # Han's code keeps the source with the smaller gain
        g = np.where(use_a, ga, gb)
        s = np.where(use_a, sa, sb)
        v = np.where(use_a, va, vb)
        vid = np.sum(np.log10(1.0 + g * g * s / (v + VIFF_NOISE_VAR)) + VIFF_C)
        vind = np.sum(np.log10(1.0 + s / VIFF_NOISE_VAR) + VIFF_C)
        total += p * vid / vind
    return float(total)


def _vifp_sum(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFp(A,F) + VIFp(B,F)."""
    return vifp_pair(a, f) + vifp_pair(b, f)


_TIES = "per window the source with the smaller gain is kept; equal gains take B"

viff = register_metric(
    "viff",
    latex=r"\mathrm{VIF}_{F}",
    higher_is_better=True,
    description="VIFF (Han et al.): multi-scale visual information fidelity of F to the sources",
    citation="Y. Han, Y. Cai, Y. Cao, X. Xu, Information Fusion 14(2):127-135, 2013",
    conventions={
        "default": Convention(viff_channel, "luma", identity=1.0, min_size=VIF_MIN_SIZE, asymmetric=_TIES),
        "mefb": Convention(
            viff_channel, "mefb_channels", identity=1.0, min_size=VIF_MIN_SIZE, asymmetric=_TIES
        ),
    },
    blur_worse=True,
)
vifp = register_metric(
    "vifp",
    latex=r"\mathrm{VIF}_{P}",
    higher_is_better=True,
    description="VIFp (Sheikh & Bovik, pixel domain): VIFp(A,F) + VIFp(B,F) (about 0..2)",
    citation="H. R. Sheikh, A. C. Bovik, IEEE Trans. Image Process. 15(2):430-444, 2006",
    conventions={"default": Convention(_vifp_sum, "luma", identity=2.0, min_size=VIF_MIN_SIZE)},
    blur_worse=True,
)
