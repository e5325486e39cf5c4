"""Structural-similarity fusion metrics weighted per window: Q_C (Cvejic) and Q_Y (Yang).

Both score the fused image F against each source in local windows with the
SSIM index and combine the two scores with a per-window weight; the image
score is the mean over windows. Windows are the 'valid' positions of a 7×7
Gaussian (σ = 1.5) as in Z. Liu's reference code.

Q_C (Cvejic, Loza, Bull & Canagarajah 2005), higher is better:

    μ_w = clip(σ_AF / (σ_AF + σ_BF), 0, 1)        (σ_XF: local covariance)
    Q_C = mean_w [ μ_w SSIM(A,F|w) + (1 − μ_w) SSIM(B,F|w) ]

Q_Y (Yang, Zhang, Wang & Liu 2008), higher is better:

    λ_w = σ_A² / (σ_A² + σ_B²)
    Q_Y(w) = λ_w SSIM(A,F|w) + (1 − λ_w) SSIM(B,F|w)   if SSIM(A,B|w) ≥ 0.75
           = max(SSIM(A,F|w), SSIM(B,F|w))              otherwise
    Q_Y = mean_w Q_Y(w)

``default``: on BT.601 luma, SSIM with the usual constants
C1 = (0.01·255)², C2 = (0.03·255)², so flat windows are well defined
(two equal flat windows score 1); variances and covariances of windows in
which an image is constant are set to exactly 0 (not left as rounding
noise), and where a weight's denominator is then 0 (σ_AF + σ_BF = 0: F flat;
σ_A² + σ_B² = 0: both sources flat) the weight is 1/2. Values are finite for
every input and do not jump with 1-ulp input changes.

``mefb``: MEFB's ``metricsQc.m`` / ``metricsQy.m`` (Liu's code): C1 = C2 =
2e-16, NaN windows dropped before the mean, and for Q_C the clipping is
applied to the *score* (score = 0 where the raw weight < 0, 1 where > 1), not
the weight. These constants make flat windows 0/0-like, so the result can
jump with a 1-ulp input change. To match Octave anyway, ill-conditioned
windows are summed in Octave's exact order and rounding (OpenBLAS ``daxpy``
with fused multiply-add, :func:`filter2_valid_fma`); the rest use a fast
separable filter (see ``docs/metrics-extra.md``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (32, 32))
    >>> round(q_yang(x, x, x), 9), round(q_cvejic(x, x, x), 9)
    (1.0, 1.0)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import ndimage

from bench.errors import ImageTooSmallError
from bench.matlab import fspecial_gaussian, gaussian_taps, imfilter_separable
from metrics.base import Convention, register_metric

_C1 = (0.01 * 255.0) ** 2
_C2 = (0.03 * 255.0) ** 2
_MEFB_C = 2e-16  # Liu's ssim_yang constants
_NEAR_ZERO = 1e-10  # relative size below which a window (co)variance is treated as rounding noise
_DAXPY_BLOCK = 16  # OpenBLAS daxpy: FMA over n & -16 entries, plain arithmetic for the rest


class LocalMoments(NamedTuple):
    """Window means, variances and covariance of two images ('valid' region)."""

    mx: np.ndarray
    my: np.ndarray
    sxx: np.ndarray
    syy: np.ndarray
    sxy: np.ndarray


def local_moments(x: np.ndarray, y: np.ndarray, taps: np.ndarray) -> LocalMoments:
    """Weighted (biased) local moments with the separable window ``outer(taps, taps)``."""
    mx, my = imfilter_separable(x, taps, shape="valid"), imfilter_separable(y, taps, shape="valid")
    return LocalMoments(
        mx,
        my,
        imfilter_separable(x * x, taps, shape="valid") - mx * mx,
        imfilter_separable(y * y, taps, shape="valid") - my * my,
        imfilter_separable(x * y, taps, shape="valid") - mx * my,
    )


def ssim_from_moments(m: LocalMoments, c1: float, c2: float) -> np.ndarray:
    """SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)), per window."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((2 * m.mx * m.my + c1) * (2 * m.sxy + c2)) / (
            (m.mx**2 + m.my**2 + c1) * (m.sxx + m.syy + c2)
        )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 1/2 where den = 0."""
    out = np.full_like(num, 0.5)
    ok = den != 0
    out[ok] = num[ok] / den[ok]
    return out


def _check_size(x: np.ndarray, name: str, n: int = 7) -> None:
    if min(x.shape) < n:
        raise ImageTooSmallError(f"metric {name}: image {x.shape} is smaller than the {n}×{n} window")


def liu_window(n: int = 7, sigma: float = 1.5) -> np.ndarray:
    """Liu's window: ``fspecial('gaussian', n, sigma)`` divided again by ``sum(sum(.))``, Octave's sums.

    Sums run sequentially in column-major order (Octave's order), not pairwise.
    """
    k = fspecial_gaussian(n, sigma, summation="sequential")
    return k / np.cumsum(np.cumsum(k, axis=0)[-1])[-1]


def _two_sum(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: s + e == x + y exactly, s = fl(x + y)."""
    s = x + y
    bb = s - x
    return s, (x - (s - bb)) + (y - bb)


def _two_product(x: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's TwoProduct (Veltkamp splitting): p + e == x·y exactly, p = fl(x·y)."""

    def split(v):
        t = 134217729.0 * v  # 2^27 + 1
        hi = t - (t - v)
        return hi, v - hi

    p = x * y
    xh, xl = split(x)
    yh, yl = split(np.float64(y))
    return p, ((xh * yh - p) + xh * yl + xl * yh) + xl * yl


def fma(x: np.ndarray, y: float, z: np.ndarray) -> np.ndarray:
    """Correctly rounded x·y + z in float64, elementwise (numpy has no FMA).

    Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved
    algorithms using rounding to odd", IEEE TC 57(4), 2008: exact product,
    TwoSum, the low parts added with rounding to odd, one final rounding.
    Valid away from overflow/underflow (pixel sums are far from both).

    >>> float(fma(np.array([0.1]), 10.0, np.array([-1.0]))[0])  # exact: 2**-54
    5.551115123125783e-17
    """
    uh, ul = _two_product(x, y)
    th, tl = _two_sum(z, uh)
    v, ve = _two_sum(tl, ul)
    # round to odd: if inexact and v's last mantissa bit is even, step one ulp towards the exact value
    even = (v.view(np.int64) & 1) == 0
    bump = (ve != 0) & even
    v = np.where(bump, np.nextafter(v, np.where(ve > 0, np.inf, -np.inf)), v)
    return th + v


def filter2_valid_fma(x: np.ndarray, kernel: np.ndarray, rows=None, cols=None) -> np.ndarray:
    """Octave ``filter2(kernel, x, 'valid')``, bit for bit, at chosen outputs.

    Octave's ``conv2`` accumulates one shifted image per kernel element, in
    column-major kernel order, with one BLAS ``daxpy`` per output column. The
    OpenBLAS x86-64 ``daxpy`` updates the first ``n − n mod 16`` entries with
    a fused multiply-add (one rounding, emulated by :func:`fma`) and the
    remaining ones with a plain multiply then add (two roundings); we replay
    exactly that. ``rows``/``cols`` (equal-length index arrays of 'valid'
    outputs) restrict the work to those windows; default: every window.
    """
    k = np.asarray(kernel, dtype=np.float64)[::-1, ::-1]  # filter2 = conv2 with rot180
    mb, nb = k.shape
    n_out = x.shape[0] - mb + 1  # daxpy length (output rows)
    if rows is None:
        r, c = np.indices((n_out, x.shape[1] - nb + 1))
        return filter2_valid_fma(x, kernel, r.ravel(), c.ravel()).reshape(r.shape)
    rows, cols = np.asarray(rows), np.asarray(cols)
    tail = rows >= n_out - n_out % _DAXPY_BLOCK
    x = np.asarray(x, dtype=np.float64)
    acc = np.zeros(len(rows))
    for j in range(nb):
        for i in range(mb):
            vals = x[rows + (mb - 1 - i), cols + (nb - 1 - j)]
            acc = np.where(tail, acc + k[i, j] * vals, fma(vals, k[i, j], acc))
    return acc


def _flat_windows(x: np.ndarray, n: int) -> np.ndarray:
    """True where the n×n 'valid' window of x is constant."""
    lo, hi = n // 2, n - 1 - n // 2
    crop = (slice(lo, x.shape[0] - hi), slice(lo, x.shape[1] - hi))
    return ndimage.maximum_filter(x, n)[crop] == ndimage.minimum_filter(x, n)[crop]


class _MefbFilters:
    """Liu's 7×7 window moments of three images, with Octave's rounding where it matters.

    A fast separable filter gives every window sum. Windows where a variance,
    a covariance or σ_AF + σ_BF is within ``_NEAR_ZERO`` (relative to the
    window's mean squares) of zero, or where an image is constant, are
    ill-conditioned: Liu's near-zero constants turn their rounding noise into
    arbitrary values. There the sums are recomputed in Octave's exact order
    (:func:`filter2_valid_fma`) so the noise is Octave's own.
    """

    def __init__(self, **images: np.ndarray):
        self.images = images
        self.kernel = liu_window(7, 1.5)
        taps = gaussian_taps(7, 1.5)
        names = sorted(images)
        keys = [(n,) for n in names] + [(x, y) for i, x in enumerate(names) for y in names[i:]]
        self._sums = {k: imfilter_separable(self._product(k), taps, shape="valid") for k in keys}
        fragile = np.logical_or.reduce([_flat_windows(x, 7) for x in images.values()])
        for i, x in enumerate(names):
            for y in names[i:]:
                scale = self.sum(x, x) + self.sum(y, y) + 1.0
                fragile |= np.abs(self.moments(x, y).sxy) < _NEAR_ZERO * scale
        if {"a", "b", "f"} <= set(names):
            scale = self.sum("a", "a") + self.sum("b", "b") + 2.0 * self.sum("f", "f") + 1.0
            fragile |= np.abs(self.moments("a", "f").sxy + self.moments("b", "f").sxy) < _NEAR_ZERO * scale
        rows, cols = np.nonzero(fragile)
        for k in keys:
            self._sums[k][rows, cols] = filter2_valid_fma(self._product(k), self.kernel, rows, cols)

    def _product(self, key: tuple[str, ...]) -> np.ndarray:
        out = self.images[key[0]]
        return out if len(key) == 1 else out * self.images[key[1]]

    def sum(self, *names: str) -> np.ndarray:
        return self._sums[tuple(sorted(names))]

    def moments(self, x: str, y: str) -> LocalMoments:
        mx, my = self.sum(x), self.sum(y)
        return LocalMoments(
            mx,
            my,
            self.sum(x, x) - mx * mx,
            self.sum(y, y) - my * my,
            self.sum(x, y) - mx * my,
        )


def _default_moments(x: np.ndarray, y: np.ndarray) -> LocalMoments:
    """7×7 Gaussian moments with exact zeros: a constant window has no (co)variance.

    Without this, windows where an image is constant carry rounding noise
    (~1e-13) in σ², σxy, and weight ratios of two such noises are arbitrary.
    """
    m = local_moments(x, y, gaussian_taps(7, 1.5))
    flat_x, flat_y = _flat_windows(x, 7), _flat_windows(y, 7)
    sxx, syy, sxy = m.sxx.copy(), m.syy.copy(), m.sxy.copy()
    sxx[flat_x] = 0.0
    syy[flat_y] = 0.0
    sxy[flat_x | flat_y] = 0.0
    return LocalMoments(m.mx, m.my, sxx, syy, sxy)


def q_cvejic(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, mefb: bool = False) -> float:
    """Q_C of single-channel images; ``mefb=True`` follows Liu's code (see module doc)."""
    _check_size(a, "qc")
    if mefb:
        filt = _MefbFilters(a=a, b=b, f=f)
        maf, mbf = filt.moments("a", "f"), filt.moments("b", "f")
        s_af, s_bf = ssim_from_moments(maf, _MEFB_C, _MEFB_C), ssim_from_moments(mbf, _MEFB_C, _MEFB_C)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = maf.sxy / (maf.sxy + mbf.sxy)
            sim = w * s_af + (1 - w) * s_bf
        sim[w < 0] = 0.0
        sim[w > 1] = 1.0
        return float(np.mean(sim[~np.isnan(sim)]))
    maf, mbf = _default_moments(a, f), _default_moments(b, f)
    s_af, s_bf = ssim_from_moments(maf, _C1, _C2), ssim_from_moments(mbf, _C1, _C2)
    w = np.clip(_ratio(maf.sxy, maf.sxy + mbf.sxy), 0.0, 1.0)
    return float(np.mean(w * s_af + (1 - w) * s_bf))


def q_yang(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, mefb: bool = False) -> float:
    """Q_Y of single-channel images; ``mefb=True`` follows Liu's code (see module doc)."""
    _check_size(a, "qy")
    if mefb:
        filt = _MefbFilters(a=a, b=b, f=f)
        mab = filt.moments("a", "b")
        s_ab = ssim_from_moments(mab, _MEFB_C, _MEFB_C)
        s_af = ssim_from_moments(filt.moments("a", "f"), _MEFB_C, _MEFB_C)
        s_bf = ssim_from_moments(filt.moments("b", "f"), _MEFB_C, _MEFB_C)
        similar = s_ab >= 0.75
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = mab.sxx / (mab.sxx + mab.syy)
            q = (lam * s_af + (1 - lam) * s_bf) * similar + np.maximum(s_af, s_bf) * ~similar
        return float(np.mean(q[~np.isnan(q)]))
    mab = _default_moments(a, b)
    s_ab = ssim_from_moments(mab, _C1, _C2)
    s_af = ssim_from_moments(_default_moments(a, f), _C1, _C2)
    s_bf = ssim_from_moments(_default_moments(b, f), _C1, _C2)
    lam = _ratio(mab.sxx, mab.sxx + mab.syy)
    q = np.where(s_ab >= 0.75, lam * s_af + (1 - lam) * s_bf, np.maximum(s_af, s_bf))
    return float(np.mean(q))


def _qc_mefb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return q_cvejic(a, b, f, mefb=True)


def _qy_mefb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return q_yang(a, b, f, mefb=True)


qc = register_metric(
    "qc",
    latex=r"Q_{C}",
    higher_is_better=True,
    description="Q_C (Cvejic): covariance-weighted SSIM of F to A and B over 7×7 Gaussian windows",
    citation=(
        "N. Cvejic, A. Loza, D. Bull, N. Canagarajah, A similarity metric for assessment of image "
        "fusion algorithms, Int. J. Signal Process. 2(3), 2005"
    ),
    conventions={
        "default": Convention(q_cvejic, "luma", identity=1.0, min_size=7),
        "mefb": Convention(
            _qc_mefb,
            "mefb_channels",
            identity=1.0,
            min_size=7,
            asymmetric="Liu's code clips the score (0 where w < 0, 1 where w > 1), not the weight w",
        ),
    },
    blur_worse=True,
)
qy = register_metric(
    "qy",
    latex=r"Q_{Y}",
    higher_is_better=True,
    description="Q_Y (Yang): variance-weighted SSIM where A and B agree (SSIM ≥ 0.75), else the max",
    citation=(
        "C. Yang, J.-Q. Zhang, X.-R. Wang, X. Liu, A novel similarity based quality metric for image "
        "fusion, Inf. Fusion 9(2), 2008"
    ),
    conventions={
        "default": Convention(q_yang, "luma", identity=1.0, min_size=7),
        "mefb": Convention(_qy_mefb, "mefb_channels", identity=1.0, min_size=7),
    },
    blur_worse=True,
)
