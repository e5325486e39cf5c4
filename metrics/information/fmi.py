"""Feature mutual information, FMI (Haghighat, Aghagolzadeh & Seyedarabi 2011; fast form 2014).

Higher is better, in [0, 1] (1 when F's features equal both sources').
Features are gradient magnitudes (Sobel on a mirror-extended image). In each
3×3 window w, the window of a feature image X is min–max normalised (a flat
window becomes all ones) and divided by its sum, giving a 9-point "pdf" p_X
whose cdf P_X runs over the window in column-major order. For the pair (X, F):

    c      = Pearson correlation of p_X and p_F
    joint  = φ·Δ²C(P_F, P_X) + (1 − φ)·p_F p_Xᵀ       (9×9, Nelsen's simplified method)
             C = min(P_F,i, P_X,j) (upper Fréchet bound) when c ≥ 0,
                 max(P_F,i + P_X,j − 1, 0) (lower bound) when c < 0;
             Δ² = second difference over (i, j) with C = 0 at index 0;
             φ = c / (Σ_ij (C_ij − P_F,i P_X,j) / (sd_F sd_X)), φ = 0 if c = 0 or an sd is 0
             (sd = population sd of the index 1..9 under the pdf)
    MI     = H(p_X) + H(p_F) − H(joint)    (log2; −p log2|p| for p ≠ 0)
    FMI_XF = 2 MI / (H(p_X) + H(p_F))  (0 if MI = 0; 1 if the two windows are equal)

FMI = mean_w (FMI_AF(w) + FMI_BF(w)) / 2, over the 'valid' windows. Colour
images use BT.601 luma.

Not validated against MEFB's ``metricsFMI.m``: that file uses MATLAB
``edge()`` (binary Sobel edges with MATLAB's automatic threshold) as its
default feature, and Octave's ``edge()`` differs, so no trustworthy
reference values exist (none are in the calibration data). There is no
``mefb`` convention for FMI; tests check its defining properties instead.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (12, 12))
    >>> round(feature_mutual_information(x, x, x), 9)
    1.0
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bench.errors import ImageTooSmallError
from bench.matlab import sobel
from metrics.base import Convention, register_metric
from metrics.features import memo

WINDOW = 3
_BATCH = 4096  # windows per vectorised batch (bounds memory: batch × 81 floats)


def gradient_feature(x: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude on a mirror-extended image (:func:`bench.matlab.sobel`)."""
    return np.hypot(*sobel(x, "mirror"))


def _windows(x: np.ndarray, w: int) -> np.ndarray:
    """All w×w 'valid' windows as columns: shape (w², n), each window flattened column-major.

    Windows run along the last (fastest) axis so every elementwise step below
    loops over thousands of windows at a time, not over 9 entries.
    """
    v = sliding_window_view(x, (w, w))  # (H−w+1, W−w+1, w, w)
    return np.ascontiguousarray(np.swapaxes(v, -1, -2).reshape(-1, w * w).T)


def _window_pdf(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    rng = hi - lo
    norm = np.where(rng > 0, (x - lo) / np.where(rng > 0, rng, 1.0), 1.0)
    return norm / norm.sum(axis=0)


def _entropy_cols(p: np.ndarray) -> np.ndarray:
    """Σ −p log2|p| over non-zero entries, per window (leading axes flattened)."""
    p = p.reshape(-1, p.shape[-1])
    logs = np.zeros_like(p)
    np.log2(np.abs(p), out=logs, where=p != 0)
    return -np.einsum("ij,ij->j", p, logs)


class _WindowPdf:
    """Per-window pdf, cdf (with a leading 0), entropy and index sd of raw features (l, n)."""

    def __init__(self, x: np.ndarray):
        self.raw = x
        self.pdf = _window_pdf(x)
        self.cdf0 = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(self.pdf, axis=0)], axis=0)
        self.centred = self.pdf - self.pdf.mean(axis=0)
        idx = np.arange(1, x.shape[0] + 1, dtype=np.float64)
        self.sd = np.sqrt(np.abs(idx**2 @ self.pdf - (idx @ self.pdf) ** 2))
        self.entropy = _entropy_cols(self.pdf)


def _pair_fmi(x: _WindowPdf, f: _WindowPdf) -> np.ndarray:
    """FMI_XF per window (see module docstring)."""
    num = np.einsum("ij,ij->j", x.centred, f.centred)
    den = np.sqrt(np.einsum("ij,ij->j", x.centred, x.centred) * np.einsum("ij,ij->j", f.centred, f.centred))
    c = np.divide(num, den, out=np.zeros_like(num), where=num != 0)
    cf, cx = f.cdf0[:, None, :], x.cdf0[None, :, :]  # F along i, X along j; index 0 is the zero boundary
    cop = np.minimum(cf, cx)  # upper Fréchet bound
    neg = c < 0
    if neg.any():
        cop[:, :, neg] = np.maximum(cf[:, :, neg] + cx[:, :, neg] - 1.0, 0.0)  # lower bound
    inner = cop[1:, 1:]
    cov = inner.sum(axis=(0, 1)) - f.cdf0[1:].sum(axis=0) * x.cdf0[1:].sum(axis=0)
    sds = x.sd * f.sd
    ok = (c != 0) & (sds > 0)
    phi = np.zeros_like(c)
    phi[ok] = c[ok] * sds[ok] / cov[ok]
    mass = inner - cop[:-1, 1:] - cop[1:, :-1] + cop[:-1, :-1]
    joint = phi * mass + (1.0 - phi) * (f.pdf[:, None, :] * x.pdf[None, :, :])
    mi = x.entropy + f.entropy - _entropy_cols(joint)
    out = np.divide(2.0 * mi, x.entropy + f.entropy, out=np.zeros_like(mi), where=mi != 0)
    return np.where(np.all(x.raw == f.raw, axis=0), 1.0, out)


def feature_mutual_information(a: np.ndarray, b: np.ndarray, f: np.ndarray, window: int = WINDOW) -> float:
    """FMI of single-channel images with gradient features (see module docstring)."""
    if min(a.shape) < window + 2:
        raise ImageTooSmallError(f"metric fmi: image {a.shape} is too small for {window}×{window} windows")
    wa, wb, wf = (_windows(memo(gradient_feature, x), window) for x in (a, b, f))
    total = 0.0
    n = wa.shape[1]
    for s in range(0, n, _BATCH):
        sl = (slice(None), slice(s, s + _BATCH))
        pf = _WindowPdf(wf[sl])
        total += float(np.sum(_pair_fmi(_WindowPdf(wa[sl]), pf) + _pair_fmi(_WindowPdf(wb[sl]), pf)))
    return total / (2.0 * n)


fmi = register_metric(
    "fmi",
    latex=r"\mathrm{FMI}",
    higher_is_better=True,
    description="FMI: feature (gradient) mutual information of F with A and B in 3×3 windows",
    citation=(
        "M. B. A. Haghighat, A. Aghagolzadeh, H. Seyedarabi, Comput. Electr. Eng. 37(5), 2011; "
        "Haghighat & Razian, AICT 2014 (fast FMI)"
    ),
    conventions={"default": Convention(feature_mutual_information, "luma", identity=1.0, min_size=WINDOW + 2)},
    blur_worse=True,
)
