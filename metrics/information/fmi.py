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
_BATCH = 16384  # windows per vectorised batch (bounds memory: batch × ~100 floats)


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
    """Per-window pdf, cdf, entropy, index sd and Σp of raw features (l, n).

    ``padded_pdf`` and ``log2`` (log2 p, 0 where p = 0) have ``l`` zero rows
    below, ``padded_cdf`` (rows 1..l of the cdf) ``l`` copies of its last row:
    :func:`_fréchet_cells` may read past the last index.
    """

    def __init__(self, x: np.ndarray):
        l, n = x.shape
        self.raw = x
        self.padded_pdf = np.zeros((2 * l, n))
        self.pdf = pdf = self.padded_pdf[:l]
        pdf[...] = _window_pdf(x)
        self.cdf0 = np.empty((l + 1, n))
        self.cdf0[0] = 0.0
        np.cumsum(pdf, axis=0, out=self.cdf0[1:])
        self.padded_cdf = _padded_cdf(self.cdf0, l)
        self.centred = pdf - pdf.mean(axis=0)
        idx = np.arange(1, l + 1, dtype=np.float64)
        self.sd = np.sqrt(np.abs(idx**2 @ pdf - (idx @ pdf) ** 2))
        self.log2 = np.zeros((2 * l, n))
        np.log2(pdf, out=self.log2[:l], where=pdf != 0)
        self.entropy = -np.einsum("ij,ij->j", pdf, self.log2[:l])
        self.total = pdf.sum(axis=0)


def _padded_cdf(cdf0: np.ndarray, l: int) -> np.ndarray:
    """cdf rows 1..l followed by l copies of row l (a merge past the end adds no mass)."""
    out = np.empty((2 * l, cdf0.shape[1]))
    out[:l] = cdf0[1:]
    out[l:] = cdf0[-1]
    return out


def _fréchet_cells(pf_cdf: np.ndarray, px_cdf: np.ndarray):
    """The 2l−1 cells (i, j) carrying the comonotone coupling's mass, and that mass.

    The upper Fréchet bound C = min(P_F,i, P_X,j) puts mass only on the staircase
    met when merging the two cdfs, so Δ²C over all l×l cells (zero elsewhere)
    reduces to a merge of 2l−1 steps. ``*_cdf``: (2l, n) padded cdfs
    (:func:`_padded_cdf`). Returns, each (2l−1, n): the cells' flat indices
    row·n + window into (2l, n) arrays, l − row (as floats, 0-based rows) for F and
    X, and the mass; steps after one cdf is exhausted carry 0 mass (their rows may
    run past l−1).
    """
    l2, n = pf_cdf.shape
    steps = l2 - 1
    pf, px = pf_cdf.ravel(), px_cdf.ravel()
    fi = np.arange(n)  # flat indices row·n + window
    xj = np.arange(n)
    prev = np.zeros(n)
    flat_i = np.empty((steps, n), dtype=np.intp)
    flat_j = np.empty((steps, n), dtype=np.intp)
    weight_i = np.empty((steps, n))  # l − i (1-based: cells at or above row i)
    weight_j = np.empty((steps, n))
    mass = np.empty((steps, n))
    wi = np.full(n, float(l2 // 2))
    wj = np.full(n, float(l2 // 2))
    for s in range(steps):
        a = pf.take(fi)
        b = px.take(xj)
        hi = np.minimum(a, b)
        np.subtract(hi, prev, out=mass[s])
        flat_i[s], flat_j[s], weight_i[s], weight_j[s] = fi, xj, wi, wj
        prev = hi
        step_i, step_j = a <= b, b <= a
        wi -= step_i
        wj -= step_j
        fi += step_i * n
        xj += step_j * n
    return flat_i, flat_j, weight_i, weight_j, mass


def _pair_fmi(x: _WindowPdf, f: _WindowPdf) -> np.ndarray:
    """FMI_XF per window (see module docstring).

    The joint pdf φ·Δ²C + (1 − φ)·p_F p_Xᵀ is the product pdf except on the
    2l−1 cells where Δ²C is not zero (:func:`_fréchet_cells`; the lower bound
    max(P_F,i + P_X,j − 1, 0) is the upper bound of F and X's reversed index),
    so its entropy is that of the scaled product, (1 − φ)(S_F S_X log2|1 − φ| −
    S_X H_F − S_F H_X) in closed form (S = Σ p ≈ 1), corrected on those cells:
    l² logarithms per window become 2l−1. Equal to the cell-by-cell evaluation up
    to rounding (≈ 1e-15; tests/metrics/test_fast_paths.py keeps the previous
    cell-by-cell code as the oracle, test_fmi.py a window-by-window one).
    """
    l, n = x.pdf.shape
    num = np.einsum("ij,ij->j", x.centred, f.centred)
    den = np.sqrt(np.einsum("ij,ij->j", x.centred, x.centred) * np.einsum("ij,ij->j", f.centred, f.centred))
    c = np.divide(num, den, out=np.zeros_like(num), where=num != 0)
    neg = c < 0
    x_cdf = x.padded_cdf
    if neg.any():  # lower bound: the upper bound with X's index reversed, P_X'(j) = 1 − P_X(l − j)
        x_cdf = np.where(neg, _padded_cdf(1.0 - x.cdf0[::-1], l), x_cdf)
    ci, cj, wi, wj, mass = _fréchet_cells(f.padded_cdf, x_cdf)
    if neg.any():  # back to X's own index j ↦ l − 1 − j (0-based) on the cells inside the square
        inside = neg & (cj < l * n)
        cols = np.arange(n)
        cj = np.where(inside, (l - 1) * n + 2 * cols - cj, cj)
        wj = np.where(inside, (l + 1) - wj, wj)
    # Σ_{i,j} C_ij = Σ_cells mass·(l − i)(l − j) (0-based): C_ij counts the mass at or below (i, j)
    wi *= wj
    wi *= mass
    cov = wi.sum(axis=0) - f.cdf0[1:].sum(axis=0) * x.cdf0[1:].sum(axis=0)
    sds = x.sd * f.sd
    ok = (c != 0) & (sds > 0)
    phi = np.zeros_like(c)
    phi[ok] = c[ok] * sds[ok] / cov[ok]
    keep = 1.0 - phi
    prod = keep * (f.padded_pdf.ravel().take(ci) * x.padded_pdf.ravel().take(cj))
    joint = phi * mass
    joint += prod
    log_keep = np.zeros_like(keep)
    np.log2(np.abs(keep), out=log_keep, where=keep != 0)
    # Σ_all (1 − φ) p_F p_X log2|(1 − φ) p_F p_X| in closed form
    neg_h = keep * (f.total * x.total * log_keep - x.total * f.entropy - f.total * x.entropy)
    log_joint = np.zeros_like(joint)
    np.log2(np.abs(joint), out=log_joint, where=joint != 0)
    log_prod = f.log2.ravel().take(ci) + x.log2.ravel().take(cj) + log_keep
    neg_h += np.einsum("ij,ij->j", joint, log_joint) - np.einsum("ij,ij->j", prod, log_prod)
    mi = x.entropy + f.entropy + neg_h
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
