"""CLAHE (methods/contrast.py), checked on a real Lytro crop."""

from __future__ import annotations

import numpy as np

from bench.color import luma
from methods.contrast import adaptive_histeq


def test_adaptive_histeq_spreads_a_low_contrast_image(lytro_pair):
    x = luma(lytro_pair[0])[:128, :160] / 255.0 * 0.3 + 0.2  # squeezed into 0.2..0.5
    y = adaptive_histeq(x, (8, 8), 0.01)
    assert y.shape == x.shape and 0.0 <= y.min() and y.max() <= 1.0
    assert y.std() > 1.5 * x.std()
    # locally monotone: within one tile a brighter pixel never maps darker
    t = slice(40, 56), slice(60, 80)
    order = np.argsort(x[t].ravel(), kind="stable")
    assert np.all(np.diff(y[t].ravel()[order]) >= -0.05)
