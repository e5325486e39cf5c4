"""Information metrics from joint grey-level histograms: Q_NCIE and Tsallis TE.

Both use 256×256 joint histograms of integer grey levels. ``default``
rounds BT.601 luma (grey images as they are) to integers 0..255;
``mefb`` reproduces MEFB's ``metricsQncie.m`` / ``metricsTE.m``: each RGB
channel separately (MEFB channel rule), every image first min–max
stretched to 0..255 and rounded (``normalize1.m``,
:func:`metrics.information.histogram.normalize1`), then averaged.

Q_NCIE (Wang, Shen & Zhang 2005; Wang, Shen & Jin 2008), higher is better:

    NCC(X, Y) = H(X) + H(Y) − H(X, Y)        (entropies with log base b = 256)
    R = [[1, NCC_AB, NCC_AF], [NCC_AB, 1, NCC_BF], [NCC_AF, NCC_BF, 1]]
    H_R = −Σ_i (λ_i / 3) log_b(λ_i / 3),  λ_i eigenvalues of R (0 log 0 = 0)
    Q_NCIE = 1 − H_R

TE, Tsallis mutual information (Cvejic, Canagarajah & Bull 2006), q = 1.85,
higher is better:

    I_q(X; F) = (1 − Σ_{x,f} p(x,f)^q / (p(x) p(f))^{q−1}) / (1 − q)
    TE = I_q(A; F) + I_q(B; F)

MEFB's TE code divides cell (i, j) by p_F(i)·p_X(j), the marginals swapped
(the same only when X and F share a histogram); the ``mefb`` convention keeps
that, as its numbers need it.

    >>> import numpy as np
    >>> x = np.arange(256.0).reshape(16, 16)
    >>> round(ncie(x, x, x), 6)
    1.0
"""

from __future__ import annotations

import numpy as np

from bench.matlab import round_half_away
from metrics.base import Convention, register_metric
from metrics.information.histogram import normalize1

TSALLIS_Q = 1.85  # Cvejic's constant
_BINS = 256


def grey_levels(x: np.ndarray) -> np.ndarray:
    """Integer grey levels 0..255 of a float image (MATLAB-style rounding, clipped)."""
    return np.clip(round_half_away(x), 0, _BINS - 1)


def joint_histogram(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """256×256 joint probability of integer levels, rows = x, columns = y."""
    idx = x.astype(np.int64).ravel() * _BINS + y.astype(np.int64).ravel()
    h = np.bincount(idx, minlength=_BINS * _BINS).reshape(_BINS, _BINS).astype(np.float64)
    return h / h.sum()


def _entropy(p: np.ndarray) -> float:
    nz = p[p > 0]
    return float(-np.sum(nz * np.log2(nz)))


def nonlinear_correlation(x: np.ndarray, y: np.ndarray) -> float:
    """NCC(X, Y) = H(X) + H(Y) − H(X, Y) with log base 256 (integer levels 0..255)."""
    h = joint_histogram(x, y)
    log_b = np.log2(_BINS)
    return (_entropy(h.sum(axis=1)) + _entropy(h.sum(axis=0)) - _entropy(h)) / log_b


def ncie(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """Q_NCIE of integer-level single-channel images (see module docstring)."""
    ab, af, bf = nonlinear_correlation(a, b), nonlinear_correlation(a, f), nonlinear_correlation(b, f)
    r = np.array([[1.0, ab, af], [ab, 1.0, bf], [af, bf, 1.0]])
    lam = np.clip(np.linalg.eigvalsh(r), 0.0, None) / 3.0
    nz = lam[lam > 0]
    h_r = -np.sum(nz * np.log2(nz)) / np.log2(_BINS)
    return float(1.0 - h_r)


def tsallis_mi(x: np.ndarray, y: np.ndarray, q: float = TSALLIS_Q, *, transposed: bool = False) -> float:
    """Tsallis mutual information I_q(X; Y) of integer-level images.

    ``transposed=True`` reproduces MEFB's pairing p_Y(i)·p_X(j) for cell (i, j).
    """
    h = joint_histogram(x, y)
    px, py = h.sum(axis=1), h.sum(axis=0)
    denom = np.outer(py, px) if transposed else np.outer(px, py)
    ok = (denom != 0) & (h != 0)
    s = np.sum(h[ok] ** q / denom[ok] ** (q - 1.0))
    return float((1.0 - s) / (1.0 - q))


def tsallis_te(a, b, f, *, transposed: bool = False) -> float:
    """TE = I_q(A; F) + I_q(B; F), q = 1.85."""
    return tsallis_mi(a, f, transposed=transposed) + tsallis_mi(b, f, transposed=transposed)


def _qncie(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return ncie(grey_levels(a), grey_levels(b), grey_levels(f))


def _qncie_mefb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return ncie(normalize1(a), normalize1(b), normalize1(f))


def _te(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return tsallis_te(grey_levels(a), grey_levels(b), grey_levels(f))


def _te_mefb(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    return tsallis_te(normalize1(a), normalize1(b), normalize1(f), transposed=True)


qncie = register_metric(
    "qncie",
    latex=r"Q_{NCIE}",
    higher_is_better=True,
    description="Q_NCIE: nonlinear correlation information entropy of (A, B, F), 1 − H_R",
    citation=(
        "Q. Wang, Y. Shen, J. Q. Zhang, A nonlinear correlation measure for multivariable data set, "
        "Physica D 200 (2005)"
    ),
    conventions={
        "default": Convention(_qncie, "luma"),
        "mefb": Convention(_qncie_mefb, "mefb_channels"),
    },
)
te = register_metric(
    "te",
    latex=r"Q_{TE}",
    higher_is_better=True,
    description="TE: Tsallis mutual information I_q(A;F) + I_q(B;F), q = 1.85",
    citation=(
        "N. Cvejic, C. N. Canagarajah, D. R. Bull, Image fusion metric based on mutual information "
        "and Tsallis entropy, Electron. Lett. 42(11), 2006"
    ),
    conventions={
        "default": Convention(_te, "luma"),
        "mefb": Convention(_te_mefb, "mefb_channels"),
    },
)
