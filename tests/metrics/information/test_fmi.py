"""FMI (fast feature mutual information): definition and properties.

No calibration values exist (MEFB's FMI depends on MATLAB ``edge()``, which
Octave does not reproduce), so the vectorised code is checked against a
window-by-window transcription of the formula and against its properties.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from metrics.information.fmi import feature_mutual_information, gradient_feature


def _entropy(p):
    p = p[p != 0]
    return float(-np.sum(p * np.log2(np.abs(p))))


def _fmi_window(x, f):
    """FMI_XF of one window pair, scalar code following the module docstring."""
    if np.array_equal(x, f):
        return 1.0
    pdfs = []
    for w in (x, f):
        v = w.T.ravel()  # column-major
        v = np.ones_like(v) if v.max() == v.min() else (v - v.min()) / (v.max() - v.min())
        pdfs.append(v / v.sum())
    px, pf = pdfs
    cx, cf = np.cumsum(px), np.cumsum(pf)
    c = np.corrcoef(px, pf)[0, 1] if np.sum((px - px.mean()) * (pf - pf.mean())) != 0 else 0.0
    idx = np.arange(1, len(px) + 1)
    sdx = np.sqrt(abs(np.sum(idx**2 * px) - np.sum(idx * px) ** 2))
    sdf = np.sqrt(abs(np.sum(idx**2 * pf) - np.sum(idx * pf) ** 2))
    l = len(px)

    def cop(i, j):  # copula at cdf indices (0 = boundary)
        if i == 0 or j == 0:
            return 0.0
        fi, xj = cf[i - 1], cx[j - 1]
        return min(fi, xj) if c >= 0 else max(fi + xj - 1, 0.0)

    cov = sum(cop(i, j) - cf[i - 1] * cx[j - 1] for i in range(1, l + 1) for j in range(1, l + 1))
    phi = 0.0 if (c == 0 or sdx == 0 or sdf == 0) else c / (cov / (sdx * sdf))
    joint = np.array(
        [
            [
                phi * (cop(i, j) - cop(i - 1, j) - cop(i, j - 1) + cop(i - 1, j - 1))
                + (1 - phi) * pf[i - 1] * px[j - 1]
                for j in range(1, l + 1)
            ]
            for i in range(1, l + 1)
        ]
    )
    hx, hf = _entropy(px), _entropy(pf)
    mi = hx + hf - _entropy(joint.ravel())
    return 0.0 if mi == 0 else 2 * mi / (hx + hf)


def test_vectorised_fmi_matches_window_by_window_definition(rng):
    a = rng.uniform(0, 255, (9, 8))
    b = np.flipud(a) + rng.normal(0, 10, a.shape)  # gives negatively correlated windows too
    f = 0.5 * a + 0.5 * b
    f[:4, :4] = 30.0  # flat feature windows
    fa, fb, ff = (gradient_feature(x) for x in (a, b, f))
    expected = np.mean(
        [
            (_fmi_window(fa[i : i + 3, j : j + 3], ff[i : i + 3, j : j + 3])
             + _fmi_window(fb[i : i + 3, j : j + 3], ff[i : i + 3, j : j + 3])) / 2
            for i in range(fa.shape[0] - 2)
            for j in range(fa.shape[1] - 2)
        ]
    )
    assert feature_mutual_information(a, b, f) == pytest.approx(expected, rel=1e-10)


def test_properties_on_real_images(lytro_pair, rng):
    a, b = lytro_pair
    a, b = a[:120, :120], b[:120, :120]
    f = (a + b) / 2
    v = metrics.compute("fmi", a, b, f)
    assert 0 < v < 1
    assert metrics.compute("fmi", a, a, a) == 1.0
    assert metrics.compute("fmi", b, a, f) == pytest.approx(v, rel=1e-12)
    noisy = np.clip(f + rng.normal(0, 25, f.shape), 0, 255)
    assert metrics.compute("fmi", a, b, noisy) < v - 0.05
    assert metrics.compute("fmi", a, b, ndimage.gaussian_filter(f, (2, 2, 0))) < v


def test_too_small_image_is_a_clear_error():
    x = np.zeros((4, 4))
    with pytest.raises(ValueError, match="fmi"):
        feature_mutual_information(x, x, x)
