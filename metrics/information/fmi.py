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

from bench.errors import ImageTooSmallError
from bench.matlab import sobel
from metrics.base import Convention, register_metric
from metrics.features import memo

WINDOW = 3


def gradient_feature(x: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude on a mirror-extended image (:func:`bench.matlab.sobel`)."""
    return np.hypot(*sobel(x, "mirror"))


def feature_mutual_information(a: np.ndarray, b: np.ndarray, f: np.ndarray, window: int = WINDOW) -> float:
    """FMI of single-channel images with gradient features (see module docstring).

    The window loop is compiled (:func:`metrics.information._fmi_kernels.fmi_sum`, numba):
    each window's pdfs, cdfs and entropies are built from the three gradient images in
    place, and the Fréchet-bound copula of a window pair is the (2l−1)-step merge of the
    two cdfs (the only cells where Δ²C is not zero), so the joint entropy needs 2l−1
    logarithms instead of l² (the scaled product pdf's entropy in closed form,
    corrected on those cells).
    """
    if min(a.shape) < window + 2:
        raise ImageTooSmallError(f"metric fmi: image {a.shape} is too small for {window}×{window} windows")
    from metrics.information._fmi_kernels import fmi_sum  # numba: imported on first use

    ga, gb, gf = (np.ascontiguousarray(memo(gradient_feature, x), dtype=np.float64) for x in (a, b, f))
    total, n = fmi_sum(ga, gb, gf, window)
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
