"""Human-perception-inspired metrics: Q_CB (Chen–Blum) and Q_CV (Chen–Varshney).

Both work in the frequency domain with contrast-sensitivity filters (CSF) on
images first min–max stretched to round(255·x) (Z. Liu's ``normalize1``).
The frequency grid is MATLAB ``freqspace`` (−1..1 per axis).

**Q_CB** (Y. Chen, R. S. Blum, Image Vis. Comput. 27, 2009), higher is better:

1. CSF (difference of Gaussians, radial frequency r in cycles scaled by H/30,
   W/30): S(r) = exp(−(r/15.3870)²) − 0.7622·exp(−(r/1.3456)²), applied by FFT.
2. Local contrast C = (G₂ ∗ I)/(G₄ ∗ I) − 1 (31×31 Gaussians σ = 2, 4),
   masked C' = |C|³ / (|C|² + 10⁻⁴).
3. Preservation Q_XF = min(C'_X, C'_F) / max(C'_X, C'_F); saliency
   λ_X = C'_X² / (C'_A² + C'_B²); Q_CB = mean(λ_A Q_AF + λ_B Q_BF).

**Q_CV** (H. Chen, P. K. Varshney, Inf. Fusion 8, 2007), LOWER is better:

1. Saliency of each 16×16 block: λ_X = Σ g_X⁵ (g: Sobel magnitude, zero padding).
2. Difference images X − F filtered by the Mannos–Sakrison CSF
   2.6(0.0192 + 0.144 r) exp(−(0.144 r)^1.1) (r scaled by H/8, W/8);
   D_X = mean of the squared filtered difference per block (partial blocks
   zero-padded to 16×16, as MATLAB ``blkproc``).
3. Q_CV = Σ(λ_A D_A + λ_B D_B) / Σ(λ_A + λ_B).

``default``: on BT.601 luma; 0/0 ratios of Q_CB (no contrast anywhere) count
as perfect preservation with equal saliency, so the value is always defined.
``vifb``/``mefb``: VIFB/MEFB ``metricsQcb.m``/``metricsQcv.m`` per RGB
channel then the mean (NaN where the original would divide 0 by 0).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (64, 64))
    >>> round(qcb_value(x, x, x), 6), qcv_value(x, x, x)
    (1.0, 0.0)
"""

from __future__ import annotations

import numpy as np

from bench.matlab import gaussian_taps, imfilter_separable, sobel
from metrics.base import Convention, register_metric
from metrics.information.histogram import normalize1


def freqspace_meshgrid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """MATLAB ``[u, v] = freqspace([h, w], 'meshgrid')``: u varies along columns."""
    fu = (np.arange(w) - np.floor(w / 2)) * (2.0 / w)
    fv = (np.arange(h) - np.floor(h / 2)) * (2.0 / h)
    return np.meshgrid(fu, fv)


def _csf_filter(x: np.ndarray, response: np.ndarray) -> np.ndarray:
    """ifft2(ifftshift(fftshift(fft2(x)) · response)), real part (imaginary part is round-off)."""
    spec = np.fft.fftshift(np.fft.fft2(x)) * response
    return np.real(np.fft.ifft2(np.fft.ifftshift(spec)))


def _liu_blur(x: np.ndarray, sigma: float) -> np.ndarray:
    """filter2 with the un-normalised 31×31 Gaussian of Liu's ``gaussian2d``, zero padding."""
    return imfilter_separable(x, gaussian_taps(31, sigma, normalize=False)) / (2 * np.pi * sigma * sigma)


def _masked_contrast(x: np.ndarray, safe: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.abs(_liu_blur(x, 2.0) / _liu_blur(x, 4.0) - 1.0)
    if safe:  # 0/0 where the filtered image vanishes: no contrast
        c = np.nan_to_num(c, nan=0.0, posinf=0.0)
    return c**3 / (c**2 + 1e-4)


def qcb_value(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, safe: bool = True) -> float:
    """Chen–Blum Q_CB of single-channel images (after ``normalize1``).

    ``safe=False`` keeps the original's 0/0 -> NaN behaviour.
    """
    a, b, f = normalize1(a), normalize1(b), normalize1(f)
    h, w = f.shape
    u, v = freqspace_meshgrid(h, w)
    r = np.sqrt((u * (w / 30.0)) ** 2 + (v * (h / 30.0)) ** 2)
    sd = np.exp(-((r / 15.3870) ** 2)) - 0.7622 * np.exp(-((r / 1.3456) ** 2))
    ca, cb_, cf = (_masked_contrast(_csf_filter(x, sd), safe) for x in (a, b, f))
    with np.errstate(divide="ignore", invalid="ignore"):
        qaf = np.where(ca < cf, ca / cf, cf / ca)
        qbf = np.where(cb_ < cf, cb_ / cf, cf / cb_)
        den = ca * ca + cb_ * cb_
        la = ca * ca / den
        lb = cb_ * cb_ / den
    if safe:
        qaf = np.where(np.isnan(qaf), 1.0, qaf)
        qbf = np.where(np.isnan(qbf), 1.0, qbf)
        flat = den == 0
        la = np.where(flat, 0.5, la)
        lb = np.where(flat, 0.5, lb)
    return float(np.mean(la * qaf + lb * qbf))


def _block_sums(x: np.ndarray, size: int = 16) -> np.ndarray:
    """Sums over non-overlapping size×size blocks, the last partial blocks zero-padded."""
    h, w = x.shape
    ph, pw = -h % size, -w % size
    xp = np.pad(x, ((0, ph), (0, pw)))
    return xp.reshape((h + ph) // size, size, (w + pw) // size, size).sum(axis=(1, 3))


def _gradient_magnitude(x: np.ndarray) -> np.ndarray:
    """Sobel magnitude, zero padding."""
    gx, gy = sobel(x, "zero")
    return np.sqrt(gx * gx + gy * gy)


def qcv_value(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, window: int = 16, alpha: float = 5.0) -> float:
    """Chen–Varshney Q_CV of single-channel images (after ``normalize1``); 0 when F = A = B."""
    a, b, f = normalize1(a), normalize1(b), normalize1(f)
    h, w = f.shape
    la = _block_sums(_gradient_magnitude(a) ** alpha, window)
    lb = _block_sums(_gradient_magnitude(b) ** alpha, window)
    u, v = freqspace_meshgrid(h, w)
    r = np.sqrt((u * (w / 8.0)) ** 2 + (v * (h / 8.0)) ** 2)
    csf = 2.6 * (0.0192 + 0.144 * r) * np.exp(-((0.144 * r) ** 1.1))
    da = _block_sums(_csf_filter(a - f, csf) ** 2, window) / (window * window)
    db = _block_sums(_csf_filter(b - f, csf) ** 2, window) / (window * window)
    den = float(np.sum(la + lb))
    if den == 0:
        return 0.0
    return float(np.sum(la * da + lb * db) / den)


def _qcb_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """Liu's ``metricChenBlum.m`` as VIFB/MEFB run it (0/0 stays NaN)."""
    return qcb_value(a, b, f, safe=False)


qcb = register_metric(
    "qcb",
    latex=r"Q_{CB}",
    higher_is_better=True,
    description="Q_CB (Chen–Blum): CSF-filtered local-contrast preservation, saliency weighted (0..1)",
    citation="Y. Chen, R. S. Blum, Image and Vision Computing 27(10), 2009",
    conventions={
        "default": Convention(qcb_value, "luma", identity=1.0),
        "vifb": Convention(_qcb_toolkit, "vifb_channels", identity=1.0),
        "mefb": Convention(_qcb_toolkit, "mefb_channels", identity=1.0),
    },
    blur_worse=True,
)
qcv = register_metric(
    "qcv",
    latex=r"Q_{CV}",
    higher_is_better=False,
    description="Q_CV (Chen–Varshney): saliency-weighted CSF-filtered difference energy per 16×16 block",
    citation="H. Chen, P. K. Varshney, Information Fusion 8(2), 2007",
    conventions={
        "default": Convention(qcv_value, "luma", identity=0.0),
        "vifb": Convention(qcv_value, "vifb_channels", identity=0.0),
        "mefb": Convention(qcv_value, "mefb_channels", identity=0.0),
    },
    blur_worse=True,
)
