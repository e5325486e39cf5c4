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

from bench.matlab import round_half_away
from metrics import _numba
from metrics.base import Convention, register_metric
from metrics.features import memo

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
    return _normalised(np.bincount((ix.ravel() * NBINS + iy.ravel()), minlength=NBINS * NBINS))


def _normalised(counts: np.ndarray) -> np.ndarray:
    h = counts.astype(np.float64)
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
    return _mi_of(joint_histogram(ix, iy), log)


def _mi_of(pxy: np.ndarray, log=np.log2) -> tuple[float, float, float]:
    hx = _entropy(pxy.sum(axis=1), log)
    hy = _entropy(pxy.sum(axis=0), log)
    hxy = _entropy(pxy.ravel(), log)
    return hx + hy - hxy, hx, hy


def cross_entropy_bits(ix: np.ndarray, iy: np.ndarray) -> float:
    """Σ p_x log2(p_x/p_y) over bins where both histograms are non-zero."""
    px, py = histogram(ix), histogram(iy)
    both = (px > 0) & (py > 0)
    return float(np.sum(px[both] * np.log2(px[both] / py[both])))


def normalize1(x: np.ndarray) -> np.ndarray:
    """Z. Liu's ``normalize1``: round(255·(x − min)/(max − min)) as float; all-zero stays zero.

    MATLAB ``round`` (:func:`bench.matlab.round_half_away`). A constant
    non-zero image (0/0 in the original) maps to zeros here.

    >>> normalize1(np.array([2.0, 3.0, 4.0])).tolist()
    [0.0, 128.0, 255.0]
    """
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.zeros(x.shape, dtype=np.float64)
    return round_half_away((x - lo) / (hi - lo) * 255.0)


def _stretched_levels(x: np.ndarray) -> np.ndarray:
    """Bin indices of :func:`normalize1` (once per image and scoring session)."""
    return normalize1(x).astype(np.intp)


def _matlab_bins(x: np.ndarray) -> np.ndarray:
    """MATLAB indexing ``X(floor(x)+1)`` -> bin floor(x) (clipped to 0..255)."""
    return np.clip(np.floor(x), 0, NBINS - 1).astype(np.intp)


def _en_levels(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """EN of F, bins = rounded grey levels."""
    return _entropy(histogram(memo(grey_levels, f)))


def _en_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFB/MEFB ``metricsEntropy.m``: bins ``floor(F)``."""
    return _entropy(histogram(memo(_matlab_bins, f)))


def _ce(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """(CE(A,F) + CE(B,F)) / 2 on rounded grey levels."""
    ia, ib, iz = (memo(grey_levels, x) for x in (a, b, f))
    return (cross_entropy_bits(ia, iz) + cross_entropy_bits(ib, iz)) / 2.0


def _qmi(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """MI(A,F) + MI(B,F), integer grey-level bins, bits."""
    if _numba.enabled() and a.ndim == 2:
        from metrics.information import _kernels

        ja, jb = _kernels.joint_counts(a, b, f)  # the same counts as bincount of grey_levels
        return _mi_of(_normalised(ja))[0] + _mi_of(_normalised(jb))[0]
    ia, ib, iz = (memo(grey_levels, x) for x in (a, b, f))
    return mutual_information(ia, iz)[0] + mutual_information(ib, iz)[0]


def _qmi_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFB ``metricsMutinf.m``: min–max stretched 256 bins, natural log."""
    if _numba.enabled() and a.ndim == 2 and a.size:
        from metrics.information import _kernels

        ja, jb = _kernels.joint_counts_stretched(a, b, f)  # normalize1's levels, counted
        return _mi_of(_normalised(ja), np.log)[0] + _mi_of(_normalised(jb), np.log)[0]
    ia, ib, iz = (memo(_stretched_levels, x) for x in (a, b, f))  # int16(255·mat2gray(x))
    return mutual_information(ia, iz, np.log)[0] + mutual_information(ib, iz, np.log)[0]


def _nmi(ix: np.ndarray, iy: np.ndarray, iz: np.ndarray) -> float:
    mi_a, ha, hfa = mutual_information(ix, iz)
    mi_b, hb, hfb = mutual_information(iy, iz)
    t1 = mi_a / (ha + hfa) if ha + hfa > 0 else 0.0
    t2 = mi_b / (hb + hfb) if hb + hfb > 0 else 0.0
    return 2.0 * (t1 + t2)


def _qnmi(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return _nmi(*(memo(grey_levels, x) for x in (a, b, f)))


def _qnmi_mefb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """MEFB ``metricsNMI.m``: each image min–max stretched to round(255·x)."""
    return _nmi(*(memo(_stretched_levels, v) for v in (a, b, f)))


en = register_metric(
    "en",
    latex=r"\mathrm{EN}",
    higher_is_better=True,
    description="EN: Shannon entropy (bits) of the fused image's 256-level histogram (0..8)",
    citation="J. van Aardt, J. Appl. Remote Sens. 2(1):023522, 2008",
    conventions={
        "default": Convention(_en_levels, "luma"),
        "vifb": Convention(_en_toolkit, "vifb_channels"),
        "mefb": Convention(_en_toolkit, "mefb_channels"),
    },
)
ce = register_metric(
    "ce",
    latex=r"\mathrm{CE}",
    higher_is_better=False,
    description="CE: mean cross entropy (bits) of the sources' histograms relative to F's",
    citation="D. M. Bulanon, T. F. Burks, V. Alchanatis, Biosyst. Eng. 103(1), 2009",
    conventions={
        "default": Convention(_ce, "luma", identity=0.0),
        "vifb": Convention(_ce, "vifb_channels", identity=0.0),
        "mefb": Convention(_ce, "mefb_channels", identity=0.0),
    },
)
qmi = register_metric(
    "qmi",
    latex=r"Q^{MI}",
    higher_is_better=True,
    description="Q^MI: MI(A,F) + MI(B,F) from 256-bin joint histograms",
    citation="G. Qu, D. Zhang, P. Yan, Electronics Letters 38(7), 2002",
    conventions={
        "default": Convention(_qmi, "luma"),
        "vifb": Convention(_qmi_toolkit, "vifb_channels"),
        "mefb": Convention(_qmi_toolkit, "mefb_channels"),
    },
    blur_worse=True,
)
qnmi = register_metric(
    "qnmi",
    latex=r"Q^{NMI}",
    higher_is_better=True,
    description="Q^NMI (Hossny): 2·[MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))], 0..4",
    citation="M. Hossny, S. Nahavandi, D. Creighton, Electronics Letters 44(18), 2008",
    conventions={
        "default": Convention(_qnmi, "luma", identity=2.0),
        "mefb": Convention(_qnmi_mefb, "mefb_channels", identity=2.0),
    },
    blur_worse=True,
)
