"""``lp``: Laplacian-pyramid fusion on a real image."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

import methods


def test_fusion_recovers_the_sharp_image(lytro_pair):
    x = lytro_pair[1][100:260, 100:300]
    blur = ndimage.gaussian_filter(x, (2, 2, 0))
    a, b = x.copy(), x.copy()
    a[:, :100], b[:, 100:] = blur[:, :100], blur[:, 100:]
    f = methods.get_method("lp").fuse(a, b).image
    assert np.mean((f - x) ** 2) < 0.3 * np.mean(((a + b) / 2 - x) ** 2)


def test_levels_parameter_and_small_images(lytro_pair):
    a, b = (x[:40, :50] for x in lytro_pair)
    m = methods.get_method("lp")
    one = m.fuse(a, b, levels=1).image
    np.testing.assert_allclose(one, (a + b) / 2)  # one level = the base only: the mean
    assert not np.allclose(m.fuse(a, b, levels=3).image, one)
    tiny = m.fuse(a[:5, :6], b[:5, :6], levels=6).image  # levels capped, still valid
    assert tiny.shape == (5, 6, 3)
