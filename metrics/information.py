"""Information-theoretic metrics: EN, CE, Q^MI (MI sum) and Q^NMI (Hossny NMI).

All use 256-bin grey-level histograms. ``default``: bins are the integer
grey levels 0..255 (float input is rounded to the nearest level and clipped),
logarithms base 2 (bits), computed on BT.601 luma.

* ``en`` ↑  EN(F) = −Σ p_F(i) log2 p_F(i)   (8 bits for a uniform histogram)
* ``ce`` ↓  CE = (CE(A,F) + CE(B,F)) / 2,  CE(X,F) = Σ_i p_X(i) log2(p_X(i)/p_F(i))
  over bins where both p_X and p_F are non-zero (Bulanon et al. 2009, as in VIFB)
* ``qmi`` ↑ MI(A,F) + MI(B,F),  MI(X,F) = H(X) + H(F) − H(X,F)   (Qu et al. 2002)
* ``qnmi`` ↑ 2·[MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))]   (Hossny et al. 2008)

    >>> import numpy as np
    >>> ramp = np.arange(256.0).reshape(16, 16)
    >>> entropy_bits(ramp)
    8.0

Conventions:

* ``vifb`` (``en``, ``ce``, ``qmi``): VIFB's ``metricsEntropy.m``,
  ``metricsCross_entropy.m``, ``metricsMutinf.m`` per RGB channel then the
  mean. EN bins ``floor(F)``; MI min–max stretches each image to 0..1, bins
  ``round(255·x)`` (MATLAB ``int16`` rounding) and uses the **natural log**.
* ``mefb`` (all four): the same files' MEFB versions with MEFB's channel rule;
  NMI min–max stretches each image to round(255·x) (``normalize1``), log2.
"""

from __future__ import annotations

import numpy as np

from metrics.base import register_metric
from metrics.channels import to_luma, toolkit_mean

NBINS = 256


def grey_levels(x: np.ndarray) -> np.ndarray:
    """Integer bin index 0..255 of each pixel (rounded to nearest, clipped)."""
    return np.clip(np.rint(x), 0, NBINS - 1).astype(np.intp)


def _entropy(p: np.ndarray, log=np.log2) -> float:
    p = p[p > 0]
    return float(-np.sum(p * log(p)))


def histogram(idx: np.ndarray) -> np.ndarray:
    """Normalised 256-bin histogram of integer bin indices."""
    h = np.bincount(idx.ravel(), minlength=NBINS).astype(np.float64)
    return h / h.sum()


def joint_histogram(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """Normalised 256×256 joint histogram (rows: x bins, columns: y bins)."""
    h = np.bincount((ix.ravel() * NBINS + iy.ravel()), minlength=NBINS * NBINS).astype(np.float64)
    return (h / h.sum()).reshape(NBINS, NBINS)


def entropy_bits(x: np.ndarray) -> float:
    """Shannon entropy (bits) of the 256-level histogram of a single-channel image."""
    return _entropy(histogram(grey_levels(x)))


def mutual_information(ix: np.ndarray, iy: np.ndarray, log=np.log2) -> tuple[float, float, float]:
    """(MI, H(x), H(y)) from integer bin indices; ``log`` sets the unit.

    >>> import numpy as np
    >>> i = np.arange(256).reshape(16, 16)
    >>> mutual_information(i, i)[0]
    8.0
    """
    pxy = joint_histogram(ix, iy)
    hx = _entropy(pxy.sum(axis=1), log)
    hy = _entropy(pxy.sum(axis=0), log)
    hxy = _entropy(pxy.ravel(), log)
    return hx + hy - hxy, hx, hy


def cross_entropy_bits(ix: np.ndarray, iy: np.ndarray) -> float:
    """Σ p_x log2(p_x/p_y) over bins where both histograms are non-zero."""
    px, py = histogram(ix), histogram(iy)
    both = (px > 0) & (py > 0)
    return float(np.sum(px[both] * np.log2(px[both] / py[both])))


def _minmax_bins(x: np.ndarray) -> np.ndarray:
    """VIFB ``mutinf``: stretch to 0..1 (constant image -> 0), bin int16(255·x) (half away from 0)."""
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.zeros(x.shape, dtype=np.intp)
    return np.floor((x - lo) / (hi - lo) * 255.0 + 0.5).astype(np.intp)


def normalize1(x: np.ndarray) -> np.ndarray:
    """Z. Liu's ``normalize1``: round(255·(x − min)/(max − min)) as float; all-zero stays zero.

    A constant non-zero image (0/0 in the original) maps to zeros here.
    """
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.zeros(x.shape, dtype=np.float64)
    return np.floor((x - lo) / (hi - lo) * 255.0 + 0.5)


def _matlab_bins(x: np.ndarray) -> np.ndarray:
    """MATLAB indexing ``X(floor(x)+1)`` -> bin floor(x) (clipped to 0..255)."""
    return np.clip(np.floor(x), 0, NBINS - 1).astype(np.intp)


_TOOLKITS = ("vifb", "mefb")


@register_metric(
    "en",
    higher_is_better=True,
    conventions=("default", "vifb", "mefb"),
    citation="J. van Aardt, J. Appl. Remote Sens. 2(1):023522, 2008",
)
def en(a, b, f, *, convention="default"):
    """EN: Shannon entropy (bits) of the fused image's 256-level histogram (0..8).

    ``default``: luma rounded to integer levels. ``vifb``/``mefb``: per RGB
    channel, bins ``floor(F)``, then the mean.
    """
    if convention in _TOOLKITS:
        return toolkit_mean(lambda x, y, z: _entropy(histogram(_matlab_bins(z))), a, b, f, convention)
    (fl,) = to_luma(f)
    return entropy_bits(fl)


@register_metric(
    "ce",
    higher_is_better=False,
    conventions=("default", "vifb", "mefb"),
    citation="D. M. Bulanon, T. F. Burks, V. Alchanatis, Biosyst. Eng. 103(1), 2009",
)
def ce(a, b, f, *, convention="default"):
    """CE: mean cross entropy (bits) of the sources' histograms relative to F's (lower is better).

    CE(X,F) = Σ p_X log2(p_X/p_F) over bins where both are non-zero;
    result (CE(A,F) + CE(B,F)) / 2. ``vifb``/``mefb``: per RGB channel then mean.
    """

    def one(x, y, z):
        iz = grey_levels(z)
        return (cross_entropy_bits(grey_levels(x), iz) + cross_entropy_bits(grey_levels(y), iz)) / 2.0

    if convention in _TOOLKITS:
        return toolkit_mean(one, a, b, f, convention)
    return one(*to_luma(a, b, f))


@register_metric(
    "qmi",
    higher_is_better=True,
    conventions=("default", "vifb", "mefb"),
    citation="G. Qu, D. Zhang, P. Yan, Electronics Letters 38(7), 2002",
)
def qmi(a, b, f, *, convention="default"):
    """Q^MI: MI(A,F) + MI(B,F) from 256-bin joint histograms.

    ``default``: integer grey-level bins of luma, bits (log2).
    ``vifb``/``mefb``: per RGB channel, each image min–max stretched into 256
    bins, natural log (nats), then the mean (VIFB ``metricsMutinf.m``).
    """
    if convention in _TOOLKITS:

        def one(x, y, z):
            iz = _minmax_bins(z)
            return (
                mutual_information(_minmax_bins(x), iz, np.log)[0]
                + mutual_information(_minmax_bins(y), iz, np.log)[0]
            )

        return toolkit_mean(one, a, b, f, convention)
    al, bl, fl = (grey_levels(x) for x in to_luma(a, b, f))
    return mutual_information(al, fl)[0] + mutual_information(bl, fl)[0]


def _nmi(ix: np.ndarray, iy: np.ndarray, iz: np.ndarray) -> float:
    mi_a, ha, hfa = mutual_information(ix, iz)
    mi_b, hb, hfb = mutual_information(iy, iz)
    t1 = mi_a / (ha + hfa) if ha + hfa > 0 else 0.0
    t2 = mi_b / (hb + hfb) if hb + hfb > 0 else 0.0
    return 2.0 * (t1 + t2)


@register_metric(
    "qnmi",
    higher_is_better=True,
    conventions=("default", "mefb"),
    citation="M. Hossny, S. Nahavandi, D. Creighton, Electronics Letters 44(18), 2008",
)
def qnmi(a, b, f, *, convention="default"):
    """Q^NMI (Hossny): 2·[MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))], range 0..4.

    ``default``: integer grey-level bins of luma (a zero-entropy pair
    contributes 0). ``mefb``: MEFB ``metricsNMI.m`` — each image min–max
    stretched to round(255·x), per RGB channel then mean.
    """
    if convention == "mefb":

        def one(x, y, z):
            return _nmi(*(normalize1(v).astype(np.intp) for v in (x, y, z)))

        return toolkit_mean(one, a, b, f, convention)
    return _nmi(*(grey_levels(x) for x in to_luma(a, b, f)))
